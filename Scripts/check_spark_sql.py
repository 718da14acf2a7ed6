#!/usr/bin/env python3
"""Runs `persona export-sql --dialect spark` in Spark local mode and compares every row with
`persona assign`.

Generates customers with `persona sample`, trains a model on a sample of them, assigns all of
them with `persona assign`, runs the exported query on the same CSV in Spark SQL (local mode,
all cores) and checks that every customer gets the same persona, runner-up and outlier flag,
and the same distance and margin. Prints the row count, the agreement and the timings.

    python3 Scripts/check_spark_sql.py --customers 1000000

Needs Java 17 and pyspark; with --venv DIR (default ~/.cache/persona-spark-venv) the script
creates that virtual environment and installs pyspark into it on first use. Uses the release
build of `persona` (built with `swift build -c release` when missing).
"""
import argparse, csv, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_pyspark(venv):
    try:
        import pyspark  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(venv, "bin", "python3")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    if subprocess.run([python, "-c", "import pyspark"], capture_output=True).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "pyspark"], check=True)
    os.execv(python, [python] + sys.argv)   # rerun inside the environment


def persona(*args):
    binary = os.path.join(ROOT, ".build", "release", "persona")
    if not os.path.exists(binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "persona"], cwd=ROOT, check=True)
    start = time.time()
    subprocess.run([binary, *args], check=True)
    return time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--train-rows", type=int, default=20_000)
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", default="/tmp/persona-spark-check")
    parser.add_argument("--venv", default=os.path.expanduser("~/.cache/persona-spark-venv"))
    args = parser.parse_args()
    ensure_pyspark(args.venv)
    from pyspark.sql import SparkSession

    os.makedirs(args.work_dir, exist_ok=True)
    w = lambda name: os.path.join(args.work_dir, name)
    data = w("customers-2026-q1.csv")
    if not os.path.exists(data):
        persona("sample", "--out-dir", args.work_dir, "--customers", str(args.customers), "--seed", str(args.seed), "-q")
    with open(data) as f, open(w("training.csv"), "w") as out:
        for i, line in enumerate(f):
            if i > args.train_rows:
                break
            out.write(line)
    persona("train", "--data", w("training.csv"), "--k", str(args.k), "--seed", "1", "--out", w("model.json"), "-q")
    assign_seconds = persona("assign", "--model", w("model.json"), "--data", data, "--out", w("assigned.csv"), "-q")
    persona("export-sql", "--model", w("model.json"), "--dialect", "spark", "--out", w("spark.sql"))
    query = open(w("spark.sql")).read().rstrip().rstrip(";")

    spark = (SparkSession.builder.master("local[*]").appName("persona-export-sql-check")
             .config("spark.driver.memory", "3g").config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    customers = spark.read.csv(data, header=True, inferSchema=True)
    customers.cache().count()   # load once; the timing below is the query alone
    customers.createOrReplaceTempView("customers")
    start = time.time()
    result = spark.sql(query)
    result.write.mode("overwrite").parquet(w("spark-assignments.parquet"))
    spark_seconds = time.time() - start
    rows = spark.read.parquet(w("spark-assignments.parquet")).collect()
    spark.stop()

    engine = {str(r[0]): r for r in rows}
    mismatches = {"persona": 0, "runner_up": 0, "outlier": 0, "distance": 0, "margin": 0, "missing": 0}
    count = 0
    with open(w("assigned.csv")) as f:
        for a in csv.DictReader(f):
            count += 1
            r = engine.get(a["customer_id"])
            if r is None:
                mismatches["missing"] += 1
                continue
            if str(r["persona"]) != a["persona"] or r["persona_name"] != a["persona_name"]:
                mismatches["persona"] += 1
            if ("" if r["runner_up"] is None else str(r["runner_up"])) != a["runner_up"]:
                mismatches["runner_up"] += 1
            if str(r["outlier"]) != a["outlier"]:
                mismatches["outlier"] += 1
            if r["distance"] != float(a["distance"]):
                mismatches["distance"] += 1
            if (r["margin"] if r["margin"] is not None else "") != (float(a["margin"]) if a["margin"] else ""):
                mismatches["margin"] += 1
    print(f"rows: persona assign {count}, Spark {len(rows)}")
    print("rows that differ: " + ", ".join(f"{k} {v}" for k, v in mismatches.items()))
    print(f"persona assign (release, {os.cpu_count()} cores): {assign_seconds:.1f} s; "
          f"Spark SQL local[*] query + parquet write: {spark_seconds:.1f} s")
    sys.exit(0 if count == len(rows) and not any(mismatches.values()) else 1)


if __name__ == "__main__":
    main()
