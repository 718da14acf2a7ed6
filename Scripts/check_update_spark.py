#!/usr/bin/env python3
"""Checks `persona update` against Spark MLlib's StreamingKMeansModel.update.

    python3 Scripts/check_update_spark.py --persona .build/release/persona [--work DIR] [--seed 1]

Writes a training file and four batches of numeric customers (planted personas that drift
from batch to batch), trains a model with `persona train`, then updates it batch after batch
with `persona update`, once per decay form: `--decay 0.7`, `--half-life 2` (batches) and
`--half-life 1500 --time-unit customers`. Spark gets the same start: the trained model's
centres and persona weights, and the batches encoded with the model's encoder (numeric
columns: (x − centre) × scale, read from the model file). After every batch the centres and
weights of both are compared; the largest difference must stay below 1e-4 (centres, encoded
space) and 1e-6 relative (weights). Exits 1 otherwise.

Needs numpy, pyspark (`pip install pyspark`) and a Java runtime (17 or later).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

COLUMNS = ["finance_income", "finance_savings_rate", "media_tv_hours", "online_social_minutes",
           "lifestyle_leisure_hours", "health_steps_thousands"]


def write_customers(path, rows, prefix):
    with open(path, "w") as f:
        f.write("customer_id," + ",".join(COLUMNS) + "\n")
        for i, row in enumerate(rows):
            f.write(f"{prefix}{i}," + ",".join(f"{v:.4f}" for v in row) + "\n")


def planted(rng, centres, n, shift):
    labels = rng.integers(0, len(centres), n)
    return centres[labels] + shift + rng.normal(0, 1, (n, centres.shape[1]))


def encode(model, rows):
    out = np.zeros((rows.shape[0], len(model["encoder"]["columnNames"])))
    by_name = {name: j for j, name in enumerate(COLUMNS)}
    for a in model["encoder"]["attributes"]:
        if len(a["centers"]) != 1:
            sys.exit(f"attribute {a['name']} is not numeric; this check encodes numeric columns only")
        out[:, a["firstColumn"]] = (rows[:, by_name[a["name"]]] - a["centers"][0]) * a["scales"][0]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persona", required=True)
    parser.add_argument("--work")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="update-spark-")
    os.makedirs(work, exist_ok=True)

    rng = np.random.default_rng(args.seed)
    k, d = 5, len(COLUMNS)
    centres = rng.normal(0, 4, (k, d)) + np.array([3000, 10, 3, 60, 20, 8])
    write_customers(f"{work}/train.csv", planted(rng, centres, 4000, 0), "t")
    batches = []
    for b in range(4):
        rows = planted(rng, centres, 1000 + 250 * b, rng.normal(0, 0.4, d) * (b + 1))
        write_customers(f"{work}/batch{b}.csv", rows, f"b{b}_")
        # The values as written (four decimals), read back.
        batches.append(np.loadtxt(f"{work}/batch{b}.csv", delimiter=",", skiprows=1, usecols=range(1, d + 1)))
    subprocess.run([args.persona, "train", "--data", f"{work}/train.csv", "--k", str(k), "--seed", str(args.seed),
                    "--out", f"{work}/m.json", "-q"], check=True)
    start = json.load(open(f"{work}/m.json"))

    from pyspark import SparkContext
    from pyspark.mllib.clustering import StreamingKMeansModel
    sc = SparkContext("local[1]", "persona-update-check")
    sc.setLogLevel("ERROR")

    forms = [("decay 0.7", ["--decay", "0.7"], 0.7, "batches"),
             ("half-life 2 batches", ["--half-life", "2"], np.exp(np.log(0.5) / 2), "batches"),
             ("half-life 1500 customers", ["--half-life", "1500", "--time-unit", "customers"],
              np.exp(np.log(0.5) / 1500), "points")]
    worst_centre, worst_weight = 0.0, 0.0
    for label, options, decay, unit in forms:
        spark = StreamingKMeansModel([np.array(p["centroid"]) for p in start["personas"]],
                                     [float(p["weight"]) for p in start["personas"]])
        previous = f"{work}/m.json"
        for b, rows in enumerate(batches):
            out = f"{work}/m-{label.replace(' ', '-')}-{b}.json"
            subprocess.run([args.persona, "update", "--model", previous, "--data", f"{work}/batch{b}.csv",
                            "--out", out, "-q"] + options, check=True)
            spark = spark.update(sc.parallelize([r for r in encode(start, rows)]), float(decay), unit)
            ours = json.load(open(out))
            centres_ours = np.array([p["centroid"] for p in ours["personas"]])
            centres_spark = np.array([np.array(c) for c in spark.clusterCenters])
            weights_ours = np.array([p["weight"] for p in ours["personas"]])
            weights_spark = np.array(spark.clusterWeights)
            dc = float(np.abs(centres_ours - centres_spark).max())
            dw = float((np.abs(weights_ours - weights_spark) / np.maximum(weights_spark, 1e-12)).max())
            worst_centre, worst_weight = max(worst_centre, dc), max(worst_weight, dw)
            print(f"{label:26s} batch {b}: {rows.shape[0]:5d} customers, max |Δcentre| {dc:.2e}, "
                  f"max relative |Δweight| {dw:.2e}")
            previous = out
    sc.stop()
    ok = worst_centre < 1e-4 and worst_weight < 1e-6
    print(f"worst: centre {worst_centre:.2e} (limit 1e-4), weight {worst_weight:.2e} (limit 1e-6): "
          + ("agree" if ok else "DIFFER"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
