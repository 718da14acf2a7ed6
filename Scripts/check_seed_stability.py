#!/usr/bin/env python3
"""Does `persona train` find the same personas whatever the seed?

For the real tables scikit-learn bundles (iris, wine, breast cancer, digits) and a few
synthetic ones with overlapping clusters, at several k, the script

  1. writes the table as CSV (`customer_id` plus the numeric columns);
  2. trains `persona train --k K --seed S` with every other option at its default,
     for seeds 1..10, and reads the inertia from the model (`training.inertia`, in the
     encoded space: z-scored columns, population standard deviation);
  3. fits scikit-learn on the same z-scored matrix: `KMeans(n_init=10,
     random_state=S)` for the same seeds (the peer), and `KMeans(n_init=250,
     random_state=0)` for the best known inertia (lowered further if any run, of
     either library, found a lower one);
  4. reports, per table and k, the worst and median ratio to the best known for both
     libraries, the share of seeds within 0.5%, and the smallest adjusted Rand index
     between the labels of two seeds;
  5. exits with status 1 if any persona run is more than 0.5% above the best known.

Requirements: python3 with numpy, pandas and scikit-learn.

Usage (from the package root):
    swift build -c release --product persona
    python3 Scripts/check_seed_stability.py --persona .build/release/persona
    python3 Scripts/check_seed_stability.py --seeds 1-10 --extra "--swap-trials 0"   # without the global step
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

LIMIT = 1.005


def tables() -> list[tuple[str, np.ndarray, list[int]]]:
    out = [
        ("iris", datasets.load_iris().data, [3, 4, 5]),
        ("wine", datasets.load_wine().data, [3, 5, 8]),
        ("breast-cancer", datasets.load_breast_cancer().data, [2, 4, 8]),
        ("digits", datasets.load_digits().data, [10]),
    ]
    rng = np.random.default_rng(2026)
    for name, n, d, k, spread in [("overlap-5", 4000, 8, 5, 0.9), ("overlap-8", 6000, 12, 8, 1.1)]:
        centres = rng.normal(0, 1.5, size=(k, d))
        sizes = rng.dirichlet(np.full(k, 3.0)) * n
        parts = []
        for c, m in zip(centres, sizes.astype(int) + 1):
            a = rng.normal(0, spread, size=(d, d)) / np.sqrt(d)
            parts.append(c + rng.normal(size=(m, d)) @ (np.eye(d) * spread + a))
        out.append((name, np.vstack(parts), [k, k + 2]))
    return out


def zscore(x: np.ndarray) -> np.ndarray:
    std = x.std(axis=0)
    std[std == 0] = 1
    return (x - x.mean(axis=0)) / std


def drop_constant(x: np.ndarray) -> np.ndarray:
    return x[:, x.std(axis=0) > 0]


def persona_run(persona: str, csv: str, k: int, seed: int, workdir: str, extra: list[str]):
    model = os.path.join(workdir, "model.json")
    assignments = os.path.join(workdir, "assignments.csv")
    cmd = [persona, "train", "--data", csv, "--k", str(k), "--seed", str(seed), "--out", model,
           "--assignments", assignments, "-q", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"persona train failed: {' '.join(cmd)}\n{proc.stderr}")
    with open(model) as f:
        inertia = json.load(f)["training"]["inertia"]
    labels = pd.read_csv(assignments)["persona"].to_numpy()
    return inertia, labels


def seeds_arg(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persona", default=".build/release/persona")
    parser.add_argument("--seeds", type=seeds_arg, default=list(range(1, 11)))
    parser.add_argument("--extra", default="", help="extra options for persona train")
    parser.add_argument("--quick", action="store_true", help="real tables only, first k of each")
    args = parser.parse_args()
    if not os.path.exists(args.persona):
        print(f"no persona binary at {args.persona}; build it first", file=sys.stderr)
        return 2
    extra = args.extra.split()
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as workdir:
        for name, raw, ks in tables():
            if args.quick and name.startswith("overlap"):
                continue
            x = drop_constant(np.asarray(raw, dtype=float))
            xs = zscore(x)
            csv = os.path.join(workdir, f"{name}.csv")
            frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(x.shape[1])])
            frame.insert(0, "customer_id", [f"c{i}" for i in range(len(x))])
            frame.to_csv(csv, index=False, float_format="%.17g")
            for k in (ks[:1] if args.quick else ks):
                ours = [persona_run(args.persona, csv, k, s, workdir, extra) for s in args.seeds]
                peer = [KMeans(n_clusters=k, n_init=10, random_state=s).fit(xs) for s in args.seeds]
                best = KMeans(n_clusters=k, n_init=250, random_state=0).fit(xs).inertia_
                best = min([best] + [i for i, _ in ours] + [m.inertia_ for m in peer])
                r_ours = np.array([i for i, _ in ours]) / best
                r_peer = np.array([m.inertia_ for m in peer]) / best
                ari_ours = min(adjusted_rand_score(a[1], b[1]) for a, b in itertools.combinations(ours, 2))
                ari_peer = min(adjusted_rand_score(a.labels_, b.labels_) for a, b in itertools.combinations(peer, 2))
                ok = bool((r_ours <= LIMIT).all())
                failed |= not ok
                rows.append([name, len(x), x.shape[1], k,
                             f"{r_ours.max():.4f}", f"{np.median(r_ours):.4f}", f"{(r_ours <= LIMIT).mean():.0%}",
                             f"{ari_ours:.3f}",
                             f"{r_peer.max():.4f}", f"{np.median(r_peer):.4f}", f"{(r_peer <= LIMIT).mean():.0%}",
                             f"{ari_peer:.3f}", "ok" if ok else "FAIL"])
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
    header = ["table", "n", "d", "k", "persona worst", "persona median", "persona ≤0.5%", "persona min ARI",
              "sklearn worst", "sklearn median", "sklearn ≤0.5%", "sklearn min ARI", "status"]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print(f"\nseeds {args.seeds[0]}..{args.seeds[-1]}; ratios are inertia / best known "
          f"(scikit-learn n_init=250 or the lowest any run found)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
