#!/usr/bin/env python3
"""Compare `persona train` / `persona assign` against scikit-learn's KMeans.

For a handful of synthetic, numeric-only data sets the project has never seen
(fixed seeds, so every run sees the same data) the script:

  1. writes each data set as CSV (`customer_id` column with ids "c0", "c1", ...
     and numeric feature columns on deliberately different scales);
  2. for the true k and for k+2 runs
         persona train --k K --restarts 10 --seed 1 --assignments A.csv --out M.json -q
     and scikit-learn
         StandardScaler().fit_transform(X)   (float64, population std)
         KMeans(n_clusters=K, n_init=10, init="k-means++", algorithm="lloyd",
                random_state=0, tol=1e-4, max_iter=300)
     timing both; reads persona's inertia from the model JSON
     (`training.inertia`), recomputes it independently from the assignment CSV
     (z-scored X, each persona's member mean, sum of squared distances) and
     requires both to agree to a relative 1e-4; requires
     persona_inertia / sklearn_inertia <= 1.005;
  3. runs `persona assign --model M.json --data same.csv --out B.csv` and
     requires B to equal A (byte-identical; failing that, the persona column and
     the distances must be identical);
  4. reports the adjusted Rand index between persona's and sklearn's labels
     (informational only);
  5. prints a table and exits with status 1 if any check failed (2 on a usage
     error or a missing binary).

Timings: "persona s" is the wall time of the whole `persona train` process
(CSV parsing, training, writing the model and the assignments); "sklearn s" is
StandardScaler + KMeans.fit only (the data are already in memory). Both use
all cores. With --verbose the CPU seconds of both are printed too; they are the
fairer comparison on a busy machine.

Requirements: python3 with numpy, pandas and scikit-learn, e.g.
    python3 -m pip install numpy pandas scikit-learn

Usage (from the package root):
    swift build -c release --product persona
    python3 Scripts/check_against_sklearn.py                 # all data sets
    python3 Scripts/check_against_sklearn.py --quick         # small ones only
    python3 Scripts/check_against_sklearn.py --persona .build-check/release/persona \
        --workdir /tmp/persona-check --keep
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

RATIO_LIMIT = 1.005          # persona inertia may be at most 0.5% above sklearn's
INERTIA_AGREEMENT = 1e-4     # model JSON inertia vs. inertia recomputed from A.csv
RESTARTS = 10
PERSONA_SEED = 1
SKLEARN_SEED = 0


# --------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------

@dataclass
class Dataset:
    name: str
    n: int
    d: int
    k: int            # the true number of clusters
    small: bool       # part of --quick
    seed: int
    kind: str         # "blobs", "overlap" or "outliers"
    ks: list[int] = field(default_factory=list)


DATASETS = [
    Dataset("blobs_2k_d5_k3", 2_000, 5, 3, True, 101, "blobs"),
    Dataset("blobs_2k_d12_k6", 2_000, 12, 6, True, 102, "blobs"),
    Dataset("overlap_2k_d6_k4", 2_000, 6, 4, True, 103, "overlap"),
    Dataset("outliers_2k_d8_k5", 2_000, 8, 5, True, 104, "outliers"),
    Dataset("blobs_20k_d12_k6", 20_000, 12, 6, False, 201, "blobs"),
    Dataset("overlap_20k_d8_k6", 20_000, 8, 6, False, 202, "overlap"),
    Dataset("outliers_20k_d10_k5", 20_000, 10, 5, False, 203, "outliers"),
    Dataset("blobs_100k_d30_k10", 100_000, 30, 10, False, 301, "blobs"),
    Dataset("overlap_100k_d5_k3", 100_000, 5, 3, False, 302, "overlap"),
]
for _ds in DATASETS:
    _ds.ks = [_ds.k, _ds.k + 2]


def _random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def _anisotropic_clusters(rng, n, d, k, center_box, spread_range, weights=None):
    """Clusters with random centers, unequal sizes and per-cluster random
    (anisotropic, rotated) covariances."""
    if weights is None:
        weights = rng.dirichlet(np.full(k, 2.0))
    sizes = rng.multinomial(n, weights)
    centers = rng.uniform(center_box[0], center_box[1], size=(k, d))
    parts, labels = [], []
    for j in range(k):
        base = rng.uniform(*spread_range)                 # cluster's overall spread
        axis = base * np.exp(rng.uniform(-1.0, 1.0, d))   # anisotropy: e^±1 per axis
        transform = _random_rotation(rng, d) * axis       # columns scaled, then rotated
        z = rng.standard_normal((sizes[j], d))
        parts.append(centers[j] + z @ transform.T)
        labels.append(np.full(sizes[j], j))
    return np.vstack(parts), np.concatenate(labels)


def generate(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(ds.seed)
    if ds.kind == "blobs":
        # Well separated, anisotropic, unequal spreads and sizes.
        X, y = _anisotropic_clusters(rng, ds.n, ds.d, ds.k, (-10, 10), (0.5, 2.0))
    elif ds.kind == "overlap":
        # Gaussian mixture whose components overlap heavily.
        X, y = _anisotropic_clusters(rng, ds.n, ds.d, ds.k, (-2.5, 2.5), (1.0, 2.0))
    elif ds.kind == "outliers":
        # Moderately separated clusters plus 1% gross outliers far outside them.
        n_out = ds.n // 100
        X, y = _anisotropic_clusters(rng, ds.n - n_out, ds.d, ds.k, (-6, 6), (0.6, 1.5))
        direction = rng.standard_normal((n_out, ds.d))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        radius = rng.uniform(25, 60, size=(n_out, 1))
        X = np.vstack([X, direction * radius])
        y = np.concatenate([y, np.full(n_out, -1)])
    else:
        raise ValueError(ds.kind)
    # Shuffle rows, then put the columns on very different scales and offsets
    # so that the z-scoring matters.
    perm = rng.permutation(len(X))
    X, y = X[perm], y[perm]
    scale = 10.0 ** rng.uniform(-2, 3, ds.d)
    offset = rng.uniform(-1000, 1000, ds.d)
    return X * scale + offset, y


def write_csv(X: np.ndarray, path: str) -> None:
    df = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(X.shape[1])])
    df.insert(0, "customer_id", [f"c{i}" for i in range(len(X))])
    # pandas writes floats with repr(), so they round-trip exactly.
    df.to_csv(path, index=False)


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------

def zscore(X: np.ndarray) -> np.ndarray:
    std = X.std(axis=0)                      # population std (ddof=0), as StandardScaler
    std[std == 0] = 1.0
    return (X - X.mean(axis=0)) / std


def inertia_from_labels(Xs: np.ndarray, labels: np.ndarray) -> float:
    total = 0.0
    for lab in np.unique(labels):
        members = Xs[labels == lab]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def run(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Runs cmd; returns (wall seconds, CPU seconds of the child, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


@dataclass
class Row:
    dataset: str
    n: int
    d: int
    k: int
    persona_inertia: float = float("nan")
    recomputed_inertia: float = float("nan")
    sklearn_inertia: float = float("nan")
    ari: float = float("nan")
    ari_truth_persona: float = float("nan")
    persona_seconds: float = float("nan")
    persona_cpu: float = float("nan")
    sklearn_cpu: float = float("nan")
    assign_seconds: float = float("nan")
    sklearn_seconds: float = float("nan")
    assign_equal: str = "-"
    restart_inertias: list[float] = field(default_factory=list)
    sklearn_iterations: int = 0
    persona_iterations: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.persona_inertia / self.sklearn_inertia


def check_one(persona: str, ds: Dataset, k: int, csv: str, X: np.ndarray,
              Xs: np.ndarray, truth: np.ndarray, workdir: str) -> Row:
    row = Row(ds.name, ds.n, ds.d, k)
    stem = os.path.join(workdir, f"{ds.name}_k{k}")
    model, a_csv, b_csv = stem + "_model.json", stem + "_A.csv", stem + "_B.csv"

    # scikit-learn
    start, cpu_start = time.perf_counter(), time.process_time()
    Xs_sk = StandardScaler().fit_transform(X.astype(np.float64))
    km = KMeans(n_clusters=k, n_init=10, init="k-means++", algorithm="lloyd",
                random_state=SKLEARN_SEED, tol=1e-4, max_iter=300).fit(Xs_sk)
    row.sklearn_seconds = time.perf_counter() - start
    row.sklearn_cpu = time.process_time() - cpu_start
    row.sklearn_inertia = float(km.inertia_)
    row.sklearn_iterations = int(km.n_iter_)

    # persona train
    row.persona_seconds, row.persona_cpu, proc = run([
        persona, "train", "--data", csv, "--k", str(k), "--restarts", str(RESTARTS),
        "--seed", str(PERSONA_SEED), "--assignments", a_csv, "--out", model, "-q"])
    if proc.returncode != 0:
        row.failures.append(f"persona train exited {proc.returncode}: {proc.stderr.strip()[:500]}")
        return row
    with open(model) as f:
        m = json.load(f)
    training = m["training"]
    row.persona_inertia = float(training["inertia"])
    diagnostics = training.get("diagnostics", {})
    row.restart_inertias = [float(v) for v in diagnostics.get("restartInertias", [])]
    row.persona_iterations = int(diagnostics.get("iterations", 0))

    a = pd.read_csv(a_csv, dtype={"customer_id": str})
    if len(a) != len(X) or list(a["customer_id"]) != [f"c{i}" for i in range(len(X))]:
        row.failures.append("assignment CSV rows do not match the data rows")
        return row
    labels = a["persona"].to_numpy()
    row.recomputed_inertia = inertia_from_labels(Xs, labels)
    rel = abs(row.recomputed_inertia - row.persona_inertia) / max(row.persona_inertia, 1e-300)
    if not rel <= INERTIA_AGREEMENT:
        row.failures.append(
            f"model inertia {row.persona_inertia!r} vs recomputed {row.recomputed_inertia!r} "
            f"(relative difference {rel:.2e} > {INERTIA_AGREEMENT:g})")
    if len(np.unique(labels)) != k:
        row.failures.append(f"only {len(np.unique(labels))} non-empty personas for k={k}")
    if not row.ratio <= RATIO_LIMIT:
        row.failures.append(
            f"persona inertia is {100 * (row.ratio - 1):.3f}% above sklearn's "
            f"(limit {100 * (RATIO_LIMIT - 1):.1f}%)")

    row.ari = adjusted_rand_score(km.labels_, labels)
    row.ari_truth_persona = adjusted_rand_score(truth, labels)

    # persona assign with the saved model must reproduce the training assignments.
    row.assign_seconds, _, proc = run([
        persona, "assign", "--model", model, "--data", csv, "--out", b_csv, "-q"])
    if proc.returncode != 0:
        row.assign_equal = "crash"
        row.failures.append(f"persona assign exited {proc.returncode}: {proc.stderr.strip()[:500]}")
        return row
    with open(a_csv, "rb") as fa, open(b_csv, "rb") as fb:
        bytes_equal = fa.read() == fb.read()
    if bytes_equal:
        row.assign_equal = "bytes"
    else:
        b = pd.read_csv(b_csv, dtype={"customer_id": str})
        same_shape = a.shape == b.shape and list(a.columns) == list(b.columns)
        if same_shape and (a["persona"].to_numpy() == b["persona"].to_numpy()).all() \
                and (a["distance"].to_numpy() == b["distance"].to_numpy()).all():
            row.assign_equal = "persona+dist"
            diff_cols = [c for c in a.columns if not a[c].equals(b[c])]
            if diff_cols:
                row.assign_equal += "(!" + ",".join(diff_cols) + ")"
        else:
            row.assign_equal = "NO"
            if same_shape:
                n_lab = int((a["persona"].to_numpy() != b["persona"].to_numpy()).sum())
                max_dd = float(np.max(np.abs(a["distance"].to_numpy() - b["distance"].to_numpy())))
                detail = f"{n_lab} labels differ, max |distance diff| {max_dd:.3g}"
            else:
                detail = f"shapes {a.shape} vs {b.shape}"
            row.failures.append(f"assign output differs from train assignments: {detail}")
    return row


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def print_table(rows: list[Row]) -> None:
    header = ["dataset", "n", "d", "k", "persona inertia", "sklearn inertia", "ratio",
              "ARI", "persona s", "sklearn s", "assign==train", "status"]
    table = []
    for r in rows:
        table.append([
            r.dataset, f"{r.n}", f"{r.d}", f"{r.k}",
            f"{r.persona_inertia:.6g}", f"{r.sklearn_inertia:.6g}",
            f"{r.ratio:.6f}" if np.isfinite(r.ratio) else "nan",
            f"{r.ari:.4f}", f"{r.persona_seconds:.2f}", f"{r.sklearn_seconds:.2f}",
            r.assign_equal, "FAIL" if r.failures else "PASS"])
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
    right = {1, 2, 3, 4, 5, 6, 7, 8, 9}

    def fmt(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for t in table:
        print(fmt(t))


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Compare persona's k-means against scikit-learn on synthetic data.")
    parser.add_argument("--persona", default=".build/release/persona",
                        help="path to the persona binary (default: %(default)s)")
    parser.add_argument("--workdir", help="where to write data, models and assignments "
                        "(default: a temporary directory, removed afterwards unless --keep)")
    parser.add_argument("--quick", action="store_true", help="only the small (n=2,000) data sets")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="only data sets whose name contains NAME (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print recomputed inertias, restart inertias, iterations")
    args = parser.parse_args()

    persona = os.path.abspath(args.persona)
    if not (os.path.isfile(persona) and os.access(persona, os.X_OK)):
        print(f"error: persona binary not found at {persona} "
              f"(build it with `swift build -c release --product persona`)", file=sys.stderr)
        return 2

    datasets = [ds for ds in DATASETS if ds.small or not args.quick]
    if args.only:
        datasets = [ds for ds in datasets if any(s in ds.name for s in args.only)]
    if not datasets:
        print("error: no data set selected", file=sys.stderr)
        return 2

    temporary = args.workdir is None
    workdir = tempfile.mkdtemp(prefix="persona-check-") if temporary else args.workdir
    os.makedirs(workdir, exist_ok=True)
    print(f"work directory: {workdir}", file=sys.stderr)

    # Warm up scikit-learn (imports, OpenMP thread pool) so the first case's
    # timing is not inflated.
    KMeans(n_clusters=2, n_init=1, random_state=0).fit(
        np.random.default_rng(0).standard_normal((1000, 3)))

    rows: list[Row] = []
    try:
        for ds in datasets:
            X, truth = generate(ds)
            csv = os.path.join(workdir, f"{ds.name}.csv")
            write_csv(X, csv)
            Xs = zscore(X)
            for k in ds.ks:
                print(f"  {ds.name} k={k} …", file=sys.stderr, flush=True)
                rows.append(check_one(persona, ds, k, csv, X, Xs, truth, workdir))
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print_table(rows)

    if args.verbose:
        print()
        for r in rows:
            ri = ", ".join(f"{v:.6g}" for v in r.restart_inertias)
            print(f"{r.dataset} k={r.k}: model {r.persona_inertia!r}, recomputed "
                  f"{r.recomputed_inertia!r}; persona iterations {r.persona_iterations}, "
                  f"sklearn iterations {r.sklearn_iterations}; ARI vs truth "
                  f"{r.ari_truth_persona:.4f}; CPU s persona {r.persona_cpu:.2f}, sklearn "
                  f"{r.sklearn_cpu:.2f}; assign {r.assign_seconds:.2f} s; "
                  f"restart inertias [{ri}]")

    failed = [r for r in rows if r.failures]
    print()
    if failed:
        print(f"{len(failed)} of {len(rows)} cases FAILED:")
        for r in failed:
            for f in r.failures:
                print(f"  {r.dataset} k={r.k}: {f}")
        return 1
    print(f"all {len(rows)} cases passed (ratio <= {RATIO_LIMIT}, model inertia agrees with "
          f"the assignments to {INERTIA_AGREEMENT:g}, assign reproduces train)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
