#!/usr/bin/env python3
"""Check `persona choose-k` against scikit-learn and against known numbers of personas.

For a few synthetic data sets with a known number of well-separated Gaussian blobs
(scikit-learn's make_blobs, fixed seeds, different dimensions and sizes) the script:

  1. writes each as CSV and runs
         persona choose-k --data D.csv --k-range 2...10 --seed 1 --out-dir OUT -q
  2. for every k, runs `persona train --k K --seed 1 --assignments A.csv` (the same fit
     choose-k makes), z-scores the data as persona does (StandardScaler) and requires
     sklearn.metrics' silhouette_score, calinski_harabasz_score and davies_bouldin_score
     on persona's labels to agree with choose-k.csv (relative 1e-4; the silhouette within
     3 standard errors when sampled);
  3. reports the recommended k against the true one, and exits 1 if any check failed.

Requirements: python3 with numpy, pandas, scikit-learn. From the package root:

    swift build -c release --product persona
    python3 Scripts/check_choose_k.py [--persona PATH] [--keep DIR]
"""
import argparse, os, subprocess, sys, tempfile
import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

DATA = [  # name, k, d, std, n (or sizes), seed
    ("k3_d2", 3, 2, 1.0, 1500, 11),
    ("k4_d6_unequal", 4, 6, 1.0, [150, 300, 500, 800], 12),
    ("k6_d4", 6, 4, 0.8, 1800, 13),
    ("k8_d10", 8, 10, 1.2, 2400, 14),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persona", default=".build/release/persona")
    parser.add_argument("--keep", help="keep the files in this directory")
    args = parser.parse_args()
    if not os.path.exists(args.persona):
        print(f"no binary at {args.persona}; run `swift build -c release --product persona`", file=sys.stderr)
        return 2
    work = args.keep or tempfile.mkdtemp(prefix="persona-choose-k-")
    os.makedirs(work, exist_ok=True)
    failures = 0
    print(f"{'data':16} {'true k':>6} {'recommended':>11}  max relative difference (silhouette, CH, DB)")
    for name, k, d, std, n, seed in DATA:
        X, _ = make_blobs(n_samples=n, n_features=d, centers=None if isinstance(n, list) else k,
                          cluster_std=std, random_state=seed, center_box=(-12, 12))
        path = os.path.join(work, f"{name}.csv")
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
        frame.insert(0, "customer_id", [f"c{i}" for i in range(len(X))])
        frame.to_csv(path, index=False, float_format="%.6f")
        out = os.path.join(work, f"{name}-out")
        subprocess.run([args.persona, "choose-k", "--data", path, "--k-range", "2...10", "--seed", "1",
                        "--out-dir", out, "-q"], check=True, stdout=subprocess.DEVNULL)
        table = pd.read_csv(os.path.join(out, "choose-k.csv"))
        Z = StandardScaler().fit_transform(pd.read_csv(path).iloc[:, 1:].to_numpy(np.float64))
        worst = [0.0, 0.0, 0.0]
        for row in table.itertuples():
            assignments = os.path.join(work, f"{name}-k{row.k}.csv")
            subprocess.run([args.persona, "train", "--data", path, "--k", str(row.k), "--seed", "1",
                            "--out", os.path.join(work, f"{name}-k{row.k}.json"), "--assignments", assignments, "-q"],
                           check=True)
            labels = pd.read_csv(assignments)["persona"].to_numpy()
            s = silhouette_score(Z, labels)
            ch = calinski_harabasz_score(Z, labels)
            db = davies_bouldin_score(Z, labels)
            tolerance = max(1e-4 * abs(s), 3 * row.silhouette_se)
            differences = [abs(row.silhouette - s), abs(row.calinski_harabasz - ch) / ch, abs(row.davies_bouldin - db) / db]
            worst = [max(a, b) for a, b in zip(worst, differences)]
            if differences[0] > tolerance + 1e-6 or differences[1] > 1e-4 or differences[2] > 1e-4:
                print(f"  {name} k={row.k}: persona {row.silhouette:.6f} {row.calinski_harabasz:.3f} {row.davies_bouldin:.6f}"
                      f" vs sklearn {s:.6f} {ch:.3f} {db:.6f}")
                failures += 1
        recommended = int(table.loc[table.recommended == 1, "k"].iloc[0])
        if recommended != k:
            failures += 1
        print(f"{name:16} {k:>6} {recommended:>11}  {worst[0]:.1e} {worst[1]:.1e} {worst[2]:.1e}"
              + ("" if recommended == k else "  WRONG k"))
    print("all checks passed" if failures == 0 else f"{failures} checks failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
