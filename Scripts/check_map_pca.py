#!/usr/bin/env python3
"""Check the persona map's projection against scikit-learn's PCA.

`persona map --coordinates FILE` writes, for every drawn customer, its `pc1`, `pc2` and
the encoded features (`encoded:*` columns) the principal components were computed on.
With a sample at least as large as the data (`--sample` ≥ rows) the file holds every
row the PCA saw, so

    PCA(n_components=2, svd_solver="full").fit_transform(encoded)

must reproduce `pc1` and `pc2` up to the sign of each component, and the explained
variance ratios printed on the map's axes ("PC1 (27.8 % of variance)") must match
`explained_variance_ratio_` to the printed precision.

For each case the script trains a model with `persona train`, maps the same data with
`persona map --sample 10000000 --coordinates C.csv`, and compares. Cases: the bundled
sample data (mixed numeric and categorical attributes, missing values) and two random
numeric data sets with correlated columns on different scales. It can also check a
coordinates file made elsewhere (`--coordinates C.csv [--svg MAP.svg]`).

Prints the largest absolute coordinate difference per case and exits 1 when any exceeds
--tolerance (default 1e-4; the encoded features are single precision), 2 on a usage error.

Requirements: python3 with numpy, pandas and scikit-learn.

Usage (from the package root):
    swift build --product persona
    python3 Scripts/check_map_pca.py [--persona .build/debug/persona] [--keep DIR]
    python3 Scripts/check_map_pca.py --coordinates coords.csv --svg map.svg
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA


def compare(coordinates_csv, svg_path=None):
    """Largest |difference| of pc1/pc2 against sklearn (up to sign) and of the variance ratios."""
    frame = pd.read_csv(coordinates_csv, dtype={0: str})
    encoded = frame[[c for c in frame.columns if c.startswith("encoded:")]].to_numpy(dtype=np.float64)
    ours = frame[["pc1", "pc2"]].to_numpy(dtype=np.float64)
    pca = PCA(n_components=2, svd_solver="full")
    theirs = pca.fit_transform(encoded)
    for c in range(2):   # the sign of a component is arbitrary
        if np.dot(theirs[:, c], ours[:, c]) < 0:
            theirs[:, c] = -theirs[:, c]
    coordinate_diff = float(np.max(np.abs(theirs - ours)))
    ratio_diff = None
    if svg_path:
        with open(svg_path, encoding="utf-8") as f:
            text = f.read()
        printed = [float(m) / 100 for m in re.findall(r"PC[12] \(([0-9.]+) % of variance\)", text)[:2]]
        if len(printed) == 2:
            ratio_diff = float(np.max(np.abs(np.array(printed) - pca.explained_variance_ratio_)))
    scale = float(np.max(np.abs(ours)))
    return len(frame), encoded.shape[1], coordinate_diff, scale, ratio_diff, pca.explained_variance_ratio_


def random_data(path, rows, columns, seed):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(rows, 3)) * np.array([3.0, 1.5, 0.7])
    loadings = rng.normal(size=(3, columns))
    x = factors @ loadings + 0.3 * rng.normal(size=(rows, columns))
    x = x * rng.uniform(0.1, 50, size=columns) + rng.uniform(-10, 100, size=columns)   # mixed scales
    frame = pd.DataFrame(x, columns=[f"finance_x{j}" for j in range(columns)])
    frame.insert(0, "customer_id", [f"c{i}" for i in range(rows)])
    frame.to_csv(path, index=False)


def run(persona, workdir, name, data, k):
    model = os.path.join(workdir, f"{name}-model.json")
    svg = os.path.join(workdir, f"{name}-map.svg")
    coordinates = os.path.join(workdir, f"{name}-coordinates.csv")
    subprocess.run([persona, "train", "--data", data, "--k", str(k), "--out", model, "-q"], check=True)
    subprocess.run([persona, "map", "--model", model, "--data", data, "--out", svg, "--sample", "10000000",
                    "--coordinates", coordinates, "-q"], check=True)
    return coordinates, svg


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persona", default=".build/debug/persona")
    parser.add_argument("--coordinates", help="check this coordinates CSV instead of running persona")
    parser.add_argument("--svg", help="the map drawn with --coordinates (for the variance ratios)")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--keep", help="work in this directory and keep it")
    args = parser.parse_args()

    cases = []
    if args.coordinates:
        cases.append(("given", args.coordinates, args.svg))
    else:
        if not os.access(args.persona, os.X_OK):
            print(f"no persona binary at {args.persona}: run `swift build --product persona` or pass --persona",
                  file=sys.stderr)
            return 2
        workdir = args.keep or tempfile.mkdtemp(prefix="persona-map-check-")
        os.makedirs(workdir, exist_ok=True)
        sample = os.path.join(os.path.dirname(__file__), "..", "SampleData", "customers-2026-q1.csv")
        cases.append(("sample-data",) + run(args.persona, workdir, "sample", sample, 6))
        for seed, rows, columns in [(1, 3000, 8), (2, 1500, 25)]:
            path = os.path.join(workdir, f"random-{seed}.csv")
            random_data(path, rows, columns, seed)
            cases.append((f"random-{seed} ({rows}x{columns})",) + run(args.persona, workdir, f"random-{seed}", path, 4))

    failed = False
    print(f"{'case':<24} {'rows':>6} {'cols':>5} {'max |Δ pc|':>12} {'max |pc|':>9} {'Δ ratio':>9}  sklearn ratios")
    for name, coordinates, svg in cases:
        rows, columns, diff, scale, ratio_diff, ratios = compare(coordinates, svg)
        bad = diff > args.tolerance or (ratio_diff is not None and ratio_diff > 0.0006)
        failed |= bad
        ratio_text = "n/a" if ratio_diff is None else f"{ratio_diff:.5f}"
        print(f"{name:<24} {rows:>6} {columns:>5} {diff:>12.3e} {scale:>9.3f} {ratio_text:>9}  "
              f"{ratios[0]:.4f} {ratios[1]:.4f}{'  FAIL' if bad else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
