#!/usr/bin/env python3
"""Measures how well a model trained on a 1% sample assigns customers compared with a model
trained on all of them.

Trains `persona train` on every customer and on a 1% random sample (same k and seed),
assigns every customer with both models (`persona assign`), matches the two models' personas
one to one so as to maximise the customers they share (Hungarian method, via
scipy.optimize.linear_sum_assignment when available, otherwise by trying every permutation
for k ≤ 8), and prints the share of customers that land on matching personas.

    python3 Scripts/check_sample_training.py --data /tmp/persona-spark-check/customers-2026-q1.csv

Uses the release build of `persona` (`swift build -c release`).
"""
import argparse, csv, itertools, os, random, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERSONA = os.path.join(ROOT, ".build", "release", "persona")


def run(*args):
    start = time.time()
    subprocess.run([PERSONA, *args], check=True)
    return time.time() - start


def personas(path):
    with open(path) as f:
        return [row["persona"] for row in csv.DictReader(f)]


def best_matching(table, k):
    try:
        from scipy.optimize import linear_sum_assignment
        import numpy as np
        rows, cols = linear_sum_assignment(-np.array(table))
        return sum(table[r][c] for r, c in zip(rows, cols))
    except ImportError:
        if k > 8:
            sys.exit("install scipy for k > 8")
        return max(sum(table[i][p[i]] for i in range(k)) for p in itertools.permutations(range(k)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", default="/tmp/persona-sample-check")
    args = parser.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    w = lambda name: os.path.join(args.work_dir, name)

    rng = random.Random(args.seed)
    with open(args.data) as f, open(w("sample.csv"), "w") as out:
        out.write(f.readline())
        kept = 0
        for line in f:
            if rng.random() < args.fraction:
                out.write(line)
                kept += 1
    k = str(args.k)
    full_train = run("train", "--data", args.data, "--k", k, "--seed", "1", "--out", w("full.json"), "-q")
    sample_train = run("train", "--data", w("sample.csv"), "--k", k, "--seed", "1", "--out", w("sample.json"), "-q")
    run("assign", "--model", w("full.json"), "--data", args.data, "--out", w("full.csv"), "-q")
    run("assign", "--model", w("sample.json"), "--data", args.data, "--out", w("sample-assigned.csv"), "-q")
    full, sample = personas(w("full.csv")), personas(w("sample-assigned.csv"))
    ids_full, ids_sample = sorted(set(full)), sorted(set(sample))
    table = [[0] * len(ids_sample) for _ in ids_full]
    index_full = {p: i for i, p in enumerate(ids_full)}
    index_sample = {p: i for i, p in enumerate(ids_sample)}
    for a, b in zip(full, sample):
        table[index_full[a]][index_sample[b]] += 1
    agree = best_matching(table, max(len(ids_full), len(ids_sample)))
    print(f"customers {len(full)}, sample {kept} ({args.fraction:.0%}), k {args.k}")
    print(f"train on all: {full_train:.1f} s; train on the sample: {sample_train:.1f} s")
    print(f"customers on matching personas: {agree} of {len(full)} = {100 * agree / len(full):.2f}%")


if __name__ == "__main__":
    main()
