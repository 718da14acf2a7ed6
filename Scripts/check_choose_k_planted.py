#!/usr/bin/env python3
"""Check that `persona choose-k` recommends the planted number of personas.

Writes overlapping persona data with Benchmarks/generate_personas.py (planted 4 to 10
personas, different seeds and sizes, separation 2: every silhouette below 0.25, the
planted partition's own about 0.1-0.17) and well-separated Gaussian blobs with
scikit-learn's make_blobs, runs

    persona choose-k --data D.csv --k-range 2...12 --out-dir OUT -q

on each, and prints the planted k, the recommended k, the measure that decided (from the
reason), the prediction strength at both, the silhouette of the planted partition itself
(in a z-scored, one-hot encoding, on 5,000 sampled rows) and the wall time. A persona set
is within tolerance when the recommendation is within ±1 of the planted k, a blob set when
it is exact; the script exits 1 unless every blob set and at least `--need` (default 5)
persona sets are (2 on a usage error).

`--controls` adds the generator's default separation (1): personas that overlap so much
that the planted partition's silhouette is about 0.05 and k-means at the planted k
recovers it poorly (adjusted Rand 0.3-0.6). They are printed for information ("info")
and do not count.

Requirements: python3 with numpy, pandas, scikit-learn. From the package root:

    swift build -c release --product persona
    python3 Scripts/check_choose_k_planted.py [--persona PATH] [--keep DIR] [--threads N] [--quick] [--controls]
"""
import argparse, os, re, subprocess, sys, tempfile, time
import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "..", "Benchmarks", "generate_personas.py")

PERSONAS = [  # name, planted k, rows, seed, separation
    ("personas_k4", 4, 20_000, 1, 2.0),
    ("personas_k5", 5, 20_000, 2, 2.0),
    ("personas_k6", 6, 20_000, 3, 2.0),
    ("personas_k6_50k", 6, 50_000, 6, 2.0),
    ("personas_k7_30k", 7, 30_000, 7, 2.0),
    ("personas_k8_100k", 8, 100_000, 4, 2.0),
    ("personas_k9_40k", 9, 40_000, 8, 2.0),
    ("personas_k10_50k", 10, 50_000, 5, 2.0),
]
CONTROLS = [(f"sep1_{name[9:]}", k, rows, seed, 1.0) for name, k, rows, seed, _ in PERSONAS]
BLOBS = [  # name, k, d, std, n, seed
    ("blobs_k3_d2", 3, 2, 1.0, 1_500, 11),
    ("blobs_k6_d4", 6, 4, 0.8, 1_800, 13),
    ("blobs_k8_d10", 8, 10, 1.2, 2_400, 14),
]


def run(persona, path, out, threads):
    command = [persona, "choose-k", "--data", path, "--k-range", "2...12", "--out-dir", out, "-q"]
    if threads:
        command += ["--threads", str(threads)]
    started = time.time()
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    elapsed = time.time() - started
    table = pd.read_csv(os.path.join(out, "choose-k.csv"))
    recommended = int(table.loc[table.recommended == 1, "k"].iloc[0])
    decided = re.search(r"decided by ([^:]+):", text)
    return recommended, decided.group(1) if decided else "?", table, elapsed


def planted_silhouette(path, truth_path):
    """The planted partition's silhouette: z-scored numbers, one-hot categories, 5,000 rows."""
    frame = pd.read_csv(path).drop(columns=["customer_id"])
    truth = pd.read_csv(truth_path)["persona"].to_numpy()
    frame = pd.get_dummies(frame, columns=list(frame.select_dtypes(exclude="number").columns), dtype=float)
    x = frame.to_numpy(dtype=float)
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1)
    return silhouette_score(x, truth, sample_size=min(5000, len(x)), random_state=0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persona", default=".build/release/persona")
    parser.add_argument("--keep", help="keep the files in this directory")
    parser.add_argument("--threads", type=int, help="--threads for choose-k (default: all cores)")
    parser.add_argument("--quick", action="store_true", help="only the sets of at most 20,000 rows")
    parser.add_argument("--need", type=int, default=5, help="persona sets that must be within ±1 (default 5)")
    parser.add_argument("--controls", action="store_true", help="also the default separation, for information")
    args = parser.parse_args()
    if not os.path.exists(args.persona):
        print(f"no binary at {args.persona}; run `swift build -c release --product persona`", file=sys.stderr)
        return 2
    work = args.keep or tempfile.mkdtemp(prefix="persona-choose-k-planted-")
    os.makedirs(work, exist_ok=True)
    sets = []
    for name, k, rows, seed, separation in PERSONAS + (CONTROLS if args.controls else []):
        if args.quick and rows > 20_000:
            continue
        path, truth = os.path.join(work, f"{name}.csv"), os.path.join(work, f"{name}.truth.csv")
        if not os.path.exists(path) or not os.path.exists(truth):
            subprocess.run([sys.executable, GENERATOR, "--personas", str(k), "--rows", str(rows), "--seed", str(seed),
                            "--separation", str(separation), "--out", path, "--schema-out", "none", "--truth-out", truth,
                            "-q"], check=True)
        sets.append((name, k, rows, path, 1 if separation >= 2 else None, planted_silhouette(path, truth)))
    for name, k, d, std, n, seed in BLOBS:
        path = os.path.join(work, f"{name}.csv")
        X, y = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=std, random_state=seed, center_box=(-12, 12))
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
        frame.insert(0, "customer_id", [f"c{i}" for i in range(len(X))])
        frame.to_csv(path, index=False, float_format="%.6f")
        sets.append((name, k, n, path, 0, silhouette_score(X, y, sample_size=min(5000, n), random_state=0)))

    failures, counted, persona_hits, blob_misses = 0, 0, 0, 0
    print(f"{'data':18} {'rows':>7} {'planted':>7} {'recommended':>11} {'decided by':>37} "
          f"{'PS planted':>10} {'PS chosen':>9} {'sil planted':>11} {'seconds':>7}  result")
    for name, k, rows, path, slack, silhouette in sets:
        recommended, decided, table, elapsed = run(args.persona, path, os.path.join(work, f"{name}-out"), args.threads)
        strength = dict(zip(table.k, table.prediction_strength))
        ok = slack is None or abs(recommended - k) <= slack
        counted += slack is not None
        failures += not ok
        persona_hits += slack == 1 and ok
        blob_misses += slack == 0 and not ok
        verdict = "info" if slack is None else "ok" if ok else "MISS"
        print(f"{name:18} {rows:>7} {k:>7} {recommended:>11} {decided:>37} {strength.get(k, float('nan')):>10.3f} "
              f"{strength[recommended]:>9.3f} {silhouette:>11.3f} {elapsed:>7.1f}  {verdict}")
    print(f"{counted - failures} of {counted} within tolerance (±1 for persona data, exact for blobs)")
    return 1 if blob_misses or persona_hits < min(args.need, sum(slack == 1 for *_, slack, _ in sets)) else 0


if __name__ == "__main__":
    sys.exit(main())
