#!/usr/bin/env python3
"""Check that `persona choose-k` recommends the planted number of personas.

Writes overlapping persona data with Benchmarks/generate_personas.py (planted 4, 5, 6, 8
and 10 personas, different seeds and sizes, the default separation) and well-separated
Gaussian blobs with scikit-learn's make_blobs, runs

    persona choose-k --data D.csv --k-range 2...12 --out-dir OUT -q

on each, and prints the planted k, the recommended k, the measure that decided (from the
reason), the prediction strength at both, and the wall time. A persona set passes when
the recommendation is within ±1 of the planted k, a blob set when it is exact; the script
exits 1 if any set fails (2 on a usage error).

Requirements: python3 with numpy, pandas, scikit-learn. From the package root:

    swift build -c release --product persona
    python3 Scripts/check_choose_k_planted.py [--persona PATH] [--keep DIR] [--threads N] [--quick]
"""
import argparse, os, re, subprocess, sys, tempfile, time
import pandas as pd
from sklearn.datasets import make_blobs

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "..", "Benchmarks", "generate_personas.py")

PERSONAS = [  # name, planted k, rows, seed
    ("personas_k4", 4, 20_000, 1),
    ("personas_k5", 5, 20_000, 2),
    ("personas_k6", 6, 20_000, 3),
    ("personas_k6_50k", 6, 50_000, 6),
    ("personas_k8_100k", 8, 100_000, 4),
    ("personas_k10_50k", 10, 50_000, 5),
]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persona", default=".build/release/persona")
    parser.add_argument("--keep", help="keep the files in this directory")
    parser.add_argument("--threads", type=int, help="--threads for choose-k (default: all cores)")
    parser.add_argument("--quick", action="store_true", help="only the sets of at most 20,000 rows")
    args = parser.parse_args()
    if not os.path.exists(args.persona):
        print(f"no binary at {args.persona}; run `swift build -c release --product persona`", file=sys.stderr)
        return 2
    work = args.keep or tempfile.mkdtemp(prefix="persona-choose-k-planted-")
    os.makedirs(work, exist_ok=True)
    sets = []
    for name, k, rows, seed in PERSONAS:
        if args.quick and rows > 20_000:
            continue
        path = os.path.join(work, f"{name}.csv")
        if not os.path.exists(path):
            subprocess.run([sys.executable, GENERATOR, "--personas", str(k), "--rows", str(rows), "--seed", str(seed),
                            "--out", path, "--schema-out", "none", "-q"], check=True)
        sets.append((name, k, rows, path, 1))
    for name, k, d, std, n, seed in BLOBS:
        path = os.path.join(work, f"{name}.csv")
        X, _ = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=std, random_state=seed, center_box=(-12, 12))
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
        frame.insert(0, "customer_id", [f"c{i}" for i in range(len(X))])
        frame.to_csv(path, index=False, float_format="%.6f")
        sets.append((name, k, n, path, 0))

    failures = 0
    print(f"{'data':18} {'rows':>7} {'planted':>7} {'recommended':>11} {'decided by':>20} "
          f"{'PS planted':>10} {'PS chosen':>9} {'seconds':>7}  result")
    for name, k, rows, path, slack in sets:
        recommended, decided, table, elapsed = run(args.persona, path, os.path.join(work, f"{name}-out"), args.threads)
        strength = dict(zip(table.k, table.prediction_strength))
        ok = abs(recommended - k) <= slack
        failures += not ok
        print(f"{name:18} {rows:>7} {k:>7} {recommended:>11} {decided:>20} {strength.get(k, float('nan')):>10.3f} "
              f"{strength[recommended]:>9.3f} {elapsed:>7.1f}  {'ok' if ok else 'MISS'}")
    print(f"{len(sets) - failures} of {len(sets)} within tolerance (±1 for persona data, exact for blobs)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
