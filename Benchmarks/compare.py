#!/usr/bin/env python3
"""Persona against scikit-learn, FAISS and pandas, all measured in one run.

From a fresh clone (see Benchmarks/README.md):

    python3 Benchmarks/compare.py                 # the full comparison (long: run it on a quiet machine)
    python3 Benchmarks/compare.py --quick         # small sizes, a smoke test of every step

The script builds `persona` (and `persona-bench`) in release mode, creates its own Python
environment in Benchmarks/.venv (numpy, pandas, scikit-learn, faiss-cpu), generates one data
set per case (Gaussian blobs with moderate overlap, fixed seeds, a `customer_id` column and
numeric attribute columns named with the persona group prefixes) and then times, in the
same run:

  k-means     `persona train --scaling none --restarts 1` against scikit-learn KMeans (lloyd
              and elkan, float64 and float32, n_init=1) and faiss.Kmeans on all points, each
              run in its own process: fit seconds, process seconds, iterations, inertia
              (recomputed here in float64 from every tool's labels, and as each tool reports
              it), distance evaluations and peak memory;
  e2e         CSV in -> z-score -> fit -> assignments CSV out: `persona train --assignments`
              (and with --report-dir, the report's cost on top)
              against pandas.read_csv + StandardScaler + KMeans + DataFrame.to_csv;
  csv         CSV parsing MB/s: `persona-bench csv-parse` against pandas.read_csv;
  assign      `persona assign` over a large file (10,000,000 rows by default): rows/s, memory;
  kernels     `persona-bench`: one nearest-centre pass (1,000,000 x 30, k = 8) against the
              machine's memory and compute bounds, and one iteration of each algorithm.

It prints Markdown tables and writes every raw number to a JSON file (--json-out).
Everything the comparison imports beyond the standard library is imported after the
script has moved into its environment; the same file serves as the worker that runs each
Python tool in a process of its own (`compare.py worker KIND SPEC`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VENV = BENCH_DIR / ".venv"
PACKAGES = ["numpy", "pandas", "scikit-learn", "faiss-cpu"]

GROUPS = ["lifestyle", "media", "online", "wish", "need", "fear", "finance", "health"]
CENTRE_SPREAD = 0.6      # std of the cluster centres per column: neighbouring blobs overlap
TOOL_SEED = 1            # --seed / random_state / seed of every tool in round 1; round r uses TOOL_SEED + r - 1
# Every tool gets the same seed in a round and a new one in the next: the number of Lloyd
# iterations depends on the random start far more than on the tool, so a median over rounds
# with one fixed seed would compare one start's luck, not the tools.
TOLERANCE = 1e-4
MAX_ITER = 300
FAISS_NITER = 25         # faiss.Kmeans's default
SECTIONS = ["kmeans", "e2e", "csv", "assign", "kernels"]


# ----------------------------------------------------------------------------------------
# Cases and data
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    n: int
    d: int
    k: int

    @property
    def seed(self) -> int:
        return 1000 + zlib.crc32(f"{self.n}x{self.d}".encode()) % 100_000

    @property
    def matrix_bytes(self) -> int:
        """Size of the data as a float32 matrix, the lower bound of any in-memory fit."""
        return self.n * self.d * 4


FULL_CASES = ["n100k-k8", "n100k-k32", "n1m-k8", "n1m-k32"]
QUICK_CASES = ["n20k-k8", "n20k-k32"]


def parse_case(name: str, d: int) -> Case:
    m = re.fullmatch(r"n(\d+)([km]?)-k(\d+)", name.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"case {name!r}: expected nROWS-kK, e.g. n100k-k8 or n1m-k32")
    n = int(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)]
    return Case(name.strip().lower(), n, d, int(m.group(3)))


def attribute_names(d: int) -> list[str]:
    """Column names spread over the eight persona groups, the first groups taking one more
    (30 -> lifestyle_1..4, media_1..4, ..., finance_1..3, health_1..3), as persona-bench."""
    base, extra = divmod(d, len(GROUPS))
    names = []
    for g, group in enumerate(GROUPS):
        names += [f"{group}_{i + 1}" for i in range(base + (1 if g < extra else 0))]
    return names


def blob_chunks(n: int, d: int, clusters: int, seed: int, chunk_rows: int = 500_000):
    """Gaussian blobs with moderate overlap, in chunks of rows: `clusters` centres from
    N(0, 0.6^2) per column, sizes from a flat Dirichlet, per-cluster spread in [0.8, 1.2].
    Values are rounded to four decimals, exactly what the CSV holds."""
    import numpy as np
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, CENTRE_SPREAD, size=(clusters, d))
    spreads = rng.uniform(0.8, 1.2, size=clusters)
    weights = rng.dirichlet(np.ones(clusters))
    for index, start in enumerate(range(0, n, chunk_rows)):
        rows = min(chunk_rows, n - start)
        crng = np.random.default_rng([seed, index])
        labels = crng.choice(clusters, size=rows, p=weights)
        x = centres[labels] + crng.standard_normal((rows, d)) * spreads[labels, None]
        yield start, np.round(x, 4)


def write_csv_chunks(path: Path, d: int, chunks) -> int:
    """Writes chunks of rows as a customer CSV (ids c0, c1, ...); returns the row count."""
    import pandas as pd
    tmp = path.with_suffix(path.suffix + ".partial")
    rows = 0
    with open(tmp, "w", newline="") as f:
        for start, x in chunks:
            df = pd.DataFrame(x, columns=attribute_names(d))
            df.insert(0, "customer_id", [f"c{i}" for i in range(start, start + len(x))])
            df.to_csv(f, index=False, header=(start == 0), float_format="%.4f", lineterminator="\n")
            rows += len(x)
    tmp.rename(path)
    return rows


def persona_dataset(case: Case, workdir: Path, log) -> dict:
    """The case's rows from Benchmarks/generate_personas.py (k planted, overlapping personas
    with correlated noise; continuous, Likert, flag and count columns and two categorical
    ones), the categories one-hot, every column standardised once: a numeric CSV and the
    same values as a float64 .npy, made once per work directory."""
    import numpy as np
    import pandas as pd
    stem = workdir / f"personas-{case.n}-k{case.k}-seed{case.seed}"
    csv, npy, meta = stem.with_suffix(".csv"), stem.with_suffix(".npy"), stem.with_suffix(".json")
    if not (csv.exists() and npy.exists() and meta.exists()):
        raw = workdir / f"{stem.name}-raw.csv"
        log(f"generating {raw.name} ({case.n:,} rows, generate_personas.py) ...")
        subprocess.run([sys.executable, str(BENCH_DIR / "generate_personas.py"), "--rows", str(case.n),
                        "--personas", str(case.k), "--seed", str(case.seed), "--out", str(raw),
                        "--schema-out", "none", "--quiet"], check=True)
        frame = pd.read_csv(raw)
        ids = frame.pop("customer_id")
        frame = pd.get_dummies(frame, dtype=float)
        values = frame.to_numpy(dtype=np.float64)
        spread = values.std(axis=0)
        values = (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1)
        values = np.round(values, 4)
        out = pd.DataFrame(values, columns=attribute_names(values.shape[1]))
        out.insert(0, "customer_id", ids)
        tmp = csv.with_suffix(".csv.partial")
        out.to_csv(tmp, index=False, float_format="%.4f", lineterminator="\n")
        tmp.rename(csv)
        np.save(npy, values)
        raw.unlink()
        meta.write_text(json.dumps({"n": case.n, "d": values.shape[1], "personas": case.k, "seed": case.seed,
                                    "generator": "generate_personas.py"}))
    d = json.loads(meta.read_text())["d"]
    return {"csv": str(csv), "npy": str(npy), "bytes": csv.stat().st_size, "generator": "personas",
            "rows": case.n, "columns": d, "clusters": case.k, "seed": case.seed}


def dataset(case: Case, workdir: Path, log, generator: str = "blobs") -> dict:
    """The case's CSV and the same values as a float64 .npy, made once per work directory."""
    import numpy as np
    if generator == "personas":
        return persona_dataset(case, workdir, log)
    stem = workdir / f"blobs-{case.n}x{case.d}-k{case.k}-seed{case.seed}"
    csv, npy, meta = stem.with_suffix(".csv"), stem.with_suffix(".npy"), stem.with_suffix(".json")
    if not (csv.exists() and npy.exists() and meta.exists()):
        log(f"generating {csv.name} ({case.n:,} rows) ...")
        parts = []

        def keep(chunks):
            for start, x in chunks:
                parts.append(x)
                yield start, x
        write_csv_chunks(csv, case.d, keep(blob_chunks(case.n, case.d, case.k, case.seed)))
        np.save(npy, np.concatenate(parts))
        meta.write_text(json.dumps({"n": case.n, "d": case.d, "clusters": case.k, "seed": case.seed}))
    return {"csv": str(csv), "npy": str(npy), "bytes": csv.stat().st_size,
            "rows": case.n, "columns": case.d, "clusters": case.k, "seed": case.seed}


# ----------------------------------------------------------------------------------------
# Running and measuring processes
# ----------------------------------------------------------------------------------------

@dataclass
class Run:
    cmd: list[str]
    returncode: int
    wall: float                 # seconds, whole process
    cpu: float                  # user + system seconds of the process
    max_rss: int                # bytes: the process's peak resident set (wait4)
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def error(self) -> str:
        tail = (self.stderr.strip() or self.stdout.strip())[-600:]
        return f"exit {self.returncode}: {tail}"


# A process's peak resident set (ru_maxrss) starts at the resident set of the process that
# forked it: exec records the old memory's high-water mark. This script holds hundreds of MB
# of data, so it does not fork the measured tools itself: a small launcher (a bare Python
# interpreter, about 10 MB) forks and execs the tool, reaps it with wait4 and writes the
# tool's own usage to a file. The launcher's size is the floor of every peak figure
# (`memoryFloor` in the JSON).
LAUNCHER = """\
import json, os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"maxrss": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, f)
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def run_measured(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> Run:
    """Runs `cmd` through the launcher; max_rss and cpu are that process's own."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".json") as usage_file:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-S", "-E", "-c", LAUNCHER, usage_file.name, *cmd],
                              stdout=out, stderr=err, env=env, cwd=cwd)
        wall = time.perf_counter() - start
        try:
            usage = json.load(usage_file)
        except ValueError:
            usage = {"maxrss": 0, "cpu": 0.0}
        out.seek(0)
        err.seek(0)
        return Run(cmd, proc.returncode, wall, usage["cpu"], usage["maxrss"] * 1024,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in the output")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Context:
    def __init__(self, args, persona: Path, bench: Path | None, workdir: Path, features: dict):
        self.args = args
        self.persona = persona
        self.bench = bench
        self.workdir = workdir
        self.features = features
        self.failures: list[str] = []
        self.notes: list[str] = []
        threads = str(args.threads)
        self.worker_env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
                               MKL_NUM_THREADS=threads, PYTHONHASHSEED="0")

    def log(self, message: str) -> None:
        print(f"[compare] {message}", file=sys.stderr, flush=True)

    def worker(self, kind: str, spec: dict) -> tuple[Run, dict | None]:
        run = run_measured([sys.executable, str(Path(__file__).resolve()), "worker", kind, json.dumps(spec)],
                           env=self.worker_env)
        result = None
        if run.ok:
            try:
                result = last_json(run.stdout)
            except ValueError:
                run.returncode = -1
        return run, result

    def fail(self, what: str, run: Run) -> None:
        message = f"{what}: {run.error()}"
        self.failures.append(message)
        self.log("FAILED " + message)


# ----------------------------------------------------------------------------------------
# Labels and inertia, uniformly in float64
# ----------------------------------------------------------------------------------------

def inertia_from_labels(X, labels) -> float:
    """Sum of squared distances of every row to the mean of its label's rows (float64)."""
    import numpy as np
    labels = np.asarray(labels).astype(np.int64)
    _, labels = np.unique(labels, return_inverse=True)
    k, d = int(labels.max()) + 1, X.shape[1]
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    sums = np.zeros((k, d))
    for j in range(d):
        sums[:, j] = np.bincount(labels, weights=np.asarray(X[:, j], dtype=np.float64), minlength=k)
    means = sums / np.maximum(counts, 1)[:, None]
    total = 0.0
    for s in range(0, X.shape[0], 200_000):
        diff = np.asarray(X[s:s + 200_000], dtype=np.float64) - means[labels[s:s + 200_000]]
        total += float(np.einsum("ij,ij->", diff, diff))
    return total


def persona_labels(X, model: dict):
    """Labels of the training rows under a persona model: encode with the model's own
    parameters, then the nearest centroid (float64)."""
    import numpy as np
    names = attribute_names(X.shape[1])
    encoded = np.empty_like(X, dtype=np.float64)
    for attribute in model["encoder"]["attributes"]:
        j = attribute["firstColumn"]
        src = names.index(attribute["name"])
        encoded[:, j] = (np.asarray(X[:, src], dtype=np.float64) - attribute["centers"][0]) * attribute["scales"][0]
    centres = np.array([p["centroid"] for p in model["personas"]], dtype=np.float64)
    c2 = (centres ** 2).sum(axis=1)
    labels = np.empty(X.shape[0], dtype=np.int64)
    for s in range(0, X.shape[0], 200_000):
        x = encoded[s:s + 200_000]
        labels[s:s + 200_000] = np.argmin(c2[None, :] - 2.0 * x @ centres.T, axis=1)
    return labels, encoded


# ----------------------------------------------------------------------------------------
# Section: k-means fits
# ----------------------------------------------------------------------------------------

def persona_train(ctx: Context, tag: str, args: list[str]) -> tuple[Run, dict]:
    """Runs `persona train ARGS`, with --timings when this persona has it; returns the run
    and the phase seconds (from the timings file, else from the progress line)."""
    timings_path = ctx.workdir / f"{tag}-timings.json"
    cmd = [str(ctx.persona), "train", *args, "--threads", str(ctx.args.threads)]
    if ctx.features["timings"]:
        timings_path.unlink(missing_ok=True)
        cmd += ["--timings", str(timings_path), "-q"]
    run = run_measured(cmd)
    phases: dict = {}
    if run.ok and ctx.features["timings"] and timings_path.exists():
        phases = json.loads(timings_path.read_text())
        phases["source"] = "timings"
    elif run.ok:
        m = re.search(r"trained in ([0-9.]+) s", run.stderr)
        if m:
            phases = {"fitSeconds": float(m.group(1)), "source": "progress"}
    return run, phases


TOOLS = [
    # name, kind, options
    ("sklearn lloyd f64", "sklearn", {"algorithm": "lloyd", "dtype": "float64"}),
    ("sklearn lloyd f32", "sklearn", {"algorithm": "lloyd", "dtype": "float32"}),
    ("sklearn elkan f64", "sklearn", {"algorithm": "elkan", "dtype": "float64"}),
    ("sklearn elkan f32", "sklearn", {"algorithm": "elkan", "dtype": "float32"}),
    (f"faiss niter={FAISS_NITER}", "faiss", {"niter": FAISS_NITER}),
]


def kmeans_case(ctx: Context, case: Case, data: dict) -> dict:
    import numpy as np
    out = {"case": case.name, "n": case.n, "d": data.get("columns", case.d), "k": case.k, "data": data, "tools": {}}
    tools = out["tools"]
    model_path = ctx.workdir / f"{case.name}-model.json"
    def persona_args(seed: int) -> list[str]:
        return ["--data", data["csv"], "--k", str(case.k), "--restarts", "1", "--scaling", "none",
                "--seed", str(seed), "--out", str(model_path)]
    matched_niter = None
    labels_files: dict[str, Path] = {}

    def record(name: str, run: Run, fit: float | None, extra: dict) -> None:
        entry = tools.setdefault(name, {"runs": []})
        entry["runs"].append({"wall": run.wall, "cpu": run.cpu, "maxRSS": run.max_rss, "fitSeconds": fit,
                              "ok": run.ok, **extra})

    for repeat in range(ctx.args.repeats):
        seed = TOOL_SEED + repeat
        ctx.log(f"k-means {case.name}: round {repeat + 1}/{ctx.args.repeats} (seed {seed})")
        # persona, also stopped at Lloyd's fixed point as scikit-learn and FAISS are
        lloyd_only = ["--refinement", "none"] + (["--swap-trials", "0"] if ctx.features.get("swaps") else [])
        run, phases = persona_train(ctx, f"{case.name}-kmeans-lloyd", persona_args(seed) + lloyd_only)
        if not run.ok:
            ctx.fail(f"persona train --refinement none {case.name}", run)
            record("persona, no refinement", run, None, {"seed": seed})
        else:
            diagnostics = json.loads(model_path.read_text())["training"].get("diagnostics", {})
            fit = phases.get("fitSeconds")
            if repeat == 0:
                # FAISS's second run takes the engine's own iteration count (Lloyd to its fixed
                # point), not the default fit's, whose last run starts from swapped centres.
                matched_niter = diagnostics.get("iterations")
            record("persona, no refinement", run, fit if fit is not None else run.wall, {
                "seed": seed, "fitSource": phases.get("source", "wall"),
                "iterations": diagnostics.get("iterations"),
                "ownInertia": json.loads(model_path.read_text())["training"].get("inertia"),
                "distanceEvaluations": diagnostics.get("distanceEvaluations"), "refinement": "none"})
        run, phases = persona_train(ctx, f"{case.name}-kmeans", persona_args(seed))
        if not run.ok:
            ctx.fail(f"persona train {case.name}", run)
            record("persona", run, None, {"seed": seed})
        else:
            model = json.loads(model_path.read_text())
            training = model["training"]
            diagnostics = training.get("diagnostics", {})
            fit = phases.get("fitSeconds")
            record("persona", run, fit if fit is not None else run.wall, {
                "seed": seed, "fitSource": phases.get("source", "wall"), "phases": phases,
                "iterations": diagnostics.get("iterations"), "ownInertia": training.get("inertia"),
                "distanceEvaluations": diagnostics.get("distanceEvaluations"),
                "algorithm": training.get("configuration", {}).get("algorithm"),
                "refinement": training.get("configuration", {}).get("refinement"),
                "refinementMoves": diagnostics.get("refinementMoves"),
                "converged": diagnostics.get("converged")})
            if repeat == 0:
                shutil.copy(model_path, ctx.workdir / f"{case.name}-model-first.json")
        # the Python tools
        plan = list(TOOLS)
        if matched_niter and matched_niter != FAISS_NITER and ctx.features["faiss"]:
            plan.append((f"faiss niter={matched_niter} (persona's)", "faiss", {"niter": matched_niter}))
        for name, kind, options in plan:
            if kind == "faiss" and not ctx.features["faiss"]:
                continue
            labels_path = ctx.workdir / f"{case.name}-{re.sub(r'[^a-z0-9]+', '-', name)}-labels.npy"
            spec = {"npy": data["npy"], "k": case.k, "seed": seed, "threads": ctx.args.threads,
                    "labels": str(labels_path) if repeat == 0 else None, **options}
            run, result = ctx.worker(kind, spec)
            if not run.ok or result is None:
                ctx.fail(f"{name} {case.name}", run)
                record(name, run, None, {})
                continue
            if repeat == 0:
                labels_files[name] = labels_path
            record(name, run, result["fitSeconds"], {"seed": seed, **{k: v for k, v in result.items() if k != "fitSeconds"}})

    # Inertia recomputed uniformly from each tool's labels (first round: every tool's seed is TOOL_SEED).
    X = np.load(data["npy"], mmap_mode="r")
    first_model = ctx.workdir / f"{case.name}-model-first.json"
    if "persona" in tools and first_model.exists():
        labels, _ = persona_labels(X, json.loads(first_model.read_text()))
        tools["persona"]["inertia"] = inertia_from_labels(X, labels)
    for name, path in labels_files.items():
        if path.exists():
            tools[name]["inertia"] = inertia_from_labels(X, np.load(path))
    summarise_tools(tools)
    return out


def summarise_tools(tools: dict) -> None:
    for entry in tools.values():
        runs = [r for r in entry["runs"] if r["ok"]]
        entry["ok"] = bool(runs)
        entry["fitSeconds"] = median([r["fitSeconds"] for r in runs])
        entry["wall"] = median([r["wall"] for r in runs])
        entry["maxRSS"] = max([r["maxRSS"] for r in runs], default=None)
        first = runs[0] if runs else {}
        for key in ("iterations", "ownInertia", "distanceEvaluations", "fitSource", "algorithm", "refinement",
                    "refinementMoves", "converged", "rssAfterLoad"):
            if key in first:
                entry[key] = first[key]
        # Iterations differ by start: the median over the rounds' seeds, and each round's.
        iterations = [r["iterations"] for r in runs if isinstance(r.get("iterations"), int)]
        if iterations:
            entry["iterations"] = int(median(iterations))
            entry["iterationsPerRound"] = iterations


# ----------------------------------------------------------------------------------------
# Section: end to end
# ----------------------------------------------------------------------------------------

PHASES = ["importSeconds", "readSeconds", "encodeSeconds", "fitSeconds", "writeSeconds", "totalSeconds"]


def e2e_case(ctx: Context, case: Case, data: dict) -> dict:
    import numpy as np
    import pandas as pd
    out = {"case": case.name, "n": case.n, "d": case.d, "k": case.k, "tools": {}}
    tools = out["tools"]
    a_persona = ctx.workdir / f"{case.name}-e2e-persona.csv"
    a_python = ctx.workdir / f"{case.name}-e2e-python.csv"
    model = ctx.workdir / f"{case.name}-e2e-model.json"
    for repeat in range(ctx.args.repeats):
        ctx.log(f"end to end {case.name}: round {repeat + 1}/{ctx.args.repeats}")
        seed = TOOL_SEED + repeat
        run, phases = persona_train(ctx, f"{case.name}-e2e", [
            "--data", data["csv"], "--k", str(case.k), "--restarts", "1", "--seed", str(seed),
            "--out", str(model), "--assignments", str(a_persona)])
        if not run.ok:
            ctx.fail(f"persona train --assignments {case.name}", run)
        tools.setdefault("persona", {"runs": []})["runs"].append(
            {"wall": run.wall, "cpu": run.cpu, "maxRSS": run.max_rss, "ok": run.ok, "phases": phases})
        # The same with the analyst's report: what --report-dir costs on top.
        report_dir = ctx.workdir / f"{case.name}-e2e-report"
        shutil.rmtree(report_dir, ignore_errors=True)
        run, phases = persona_train(ctx, f"{case.name}-e2e-report", [
            "--data", data["csv"], "--k", str(case.k), "--restarts", "1", "--seed", str(seed),
            "--out", str(model), "--assignments", str(a_persona), "--report-dir", str(report_dir)])
        if not run.ok:
            ctx.fail(f"persona train --report-dir {case.name}", run)
        tools.setdefault("persona --report-dir", {"runs": []})["runs"].append(
            {"wall": run.wall, "cpu": run.cpu, "maxRSS": run.max_rss, "ok": run.ok, "phases": phases})
        run, result = ctx.worker("e2e", {"csv": data["csv"], "out": str(a_python), "k": case.k,
                                         "seed": seed, "threads": ctx.args.threads})
        if not run.ok or result is None:
            ctx.fail(f"pandas + scikit-learn end to end {case.name}", run)
        tools.setdefault("pandas + sklearn", {"runs": []})["runs"].append(
            {"wall": run.wall, "cpu": run.cpu, "maxRSS": run.max_rss, "ok": run.ok and result is not None,
             "phases": result or {}})
    for entry in tools.values():
        runs = [r for r in entry["runs"] if r["ok"]]
        entry["ok"] = bool(runs)
        entry["wall"] = median([r["wall"] for r in runs])
        entry["maxRSS"] = max([r["maxRSS"] for r in runs], default=None)
        keys = {k for r in runs for k, v in r["phases"].items() if isinstance(v, (int, float))}
        entry["phases"] = {key: median([r["phases"].get(key) for r in runs])
                           for key in sorted(keys, key=lambda k: (PHASES.index(k) if k in PHASES else 99, k))}
    # Both solve the same problem: inertia on the z-scored data from each output's labels.
    X = np.load(data["npy"], mmap_mode="r")
    std = np.asarray(X).std(axis=0)
    Xs = (np.asarray(X) - np.asarray(X).mean(axis=0)) / np.where(std > 0, std, 1.0)
    for name, path in (("persona", a_persona), ("pandas + sklearn", a_python)):
        if tools.get(name, {}).get("ok") and path.exists():
            labels = pd.read_csv(path, usecols=["persona"])["persona"].to_numpy()
            tools[name]["inertia"] = inertia_from_labels(Xs, labels)
            tools[name]["outputBytes"] = path.stat().st_size
    return out


# ----------------------------------------------------------------------------------------
# Sections: CSV parsing, assignment, kernels
# ----------------------------------------------------------------------------------------

def csv_section(ctx: Context, case: Case, data: dict) -> dict:
    out = {"file": data["csv"], "bytes": data["bytes"], "rows": case.n, "columns": case.d + 1, "tools": {}}
    repeats = str(ctx.args.repeats)
    if ctx.bench:
        ctx.log(f"CSV parsing: persona-bench csv-parse ({data['bytes'] / 1e6:.0f} MB)")
        run = run_measured([str(ctx.bench), "csv-parse", data["csv"], "--repeats", repeats])
        if run.ok:
            result = last_json(run.stdout)
            out["tools"]["persona (CSVStreamReader)"] = {**result, "maxRSS": run.max_rss, "ok": True}
        else:
            ctx.fail("persona-bench csv-parse", run)
    ctx.log("CSV parsing: pandas.read_csv")
    run, result = ctx.worker("read-csv", {"csv": data["csv"], "repeats": ctx.args.repeats})
    if run.ok and result:
        out["tools"]["pandas.read_csv"] = {**result, "maxRSS": run.max_rss, "ok": True}
    else:
        ctx.fail("pandas.read_csv", run)
    return out


def assign_section(ctx: Context, train_case: Case, train_data: dict) -> dict:
    rows, d = ctx.args.assign_rows, train_case.d
    path = ctx.workdir / f"assign-{rows}x{d}-seed7.csv"
    if not path.exists():
        ctx.log(f"generating {path.name} ({rows:,} rows; once per work directory) ...")
        write_csv_chunks(path, d, blob_chunks(rows, d, 8, 7))
    size = path.stat().st_size
    model = ctx.workdir / "assign-model.json"
    out = {"rows": rows, "columns": d + 1, "bytes": size, "model": {"trainedOn": train_case.name, "k": 8}}
    run, _ = persona_train(ctx, "assign-model", ["--data", train_data["csv"], "--k", "8", "--restarts", "1",
                                                 "--seed", str(TOOL_SEED), "--out", str(model)])
    if not run.ok:
        ctx.fail("persona train (model for assign)", run)
        return out
    result_path = ctx.workdir / "assign-out.csv"
    runs = []
    for repeat in range(ctx.args.assign_repeats):
        ctx.log(f"persona assign {rows:,} rows: run {repeat + 1}/{ctx.args.assign_repeats}")
        run = run_measured([str(ctx.persona), "assign", "--model", str(model), "--data", str(path),
                            "--out", str(result_path), "--threads", str(ctx.args.threads), "-q"])
        if not run.ok:
            ctx.fail("persona assign", run)
            break
        runs.append({"wall": run.wall, "cpu": run.cpu, "maxRSS": run.max_rss})
    out["outputBytes"] = result_path.stat().st_size if result_path.exists() else None
    result_path.unlink(missing_ok=True)
    if runs:
        wall = median([r["wall"] for r in runs])
        out.update(runs=runs, wall=wall, rowsPerSecond=rows / wall, megabytesPerSecond=size / 1e6 / wall,
                   maxRSS=max(r["maxRSS"] for r in runs), rssBytesPerRow=max(r["maxRSS"] for r in runs) / rows)
    return out


def kernels_section(ctx: Context) -> dict:
    out = {}
    if not ctx.bench:
        return out
    rows = str(ctx.args.kernel_rows)
    steps = [("machine", ["machine", "--megabytes", str(ctx.args.bandwidth_mb), "--threads", str(ctx.args.threads)]),
             ("assign-pass", ["assign-pass", "--rows", rows, "--k", "8", "--repeats", str(max(3, ctx.args.repeats)),
                              "--threads", str(ctx.args.threads), "--bounds",
                              "--bandwidth-megabytes", str(ctx.args.bandwidth_mb)])]
    for algorithm in ("lloyd", "hamerly", "elkan"):
        steps.append((f"iterate {algorithm}", ["iterate", "--algorithm", algorithm, "--rows", rows, "--k", "8",
                                               "--iterations", "1", "--repeats", str(ctx.args.repeats),
                                               "--threads", str(ctx.args.threads)]))
    steps.append(("seed", ["seed", "--rows", rows, "--k", "8", "--repeats", str(ctx.args.repeats),
                           "--threads", str(ctx.args.threads)]))
    for name, argv in steps:
        ctx.log(f"kernels: persona-bench {' '.join(argv)}")
        run = run_measured([str(ctx.bench), *argv])
        if run.ok:
            out[name] = last_json(run.stdout)
        else:
            ctx.fail(f"persona-bench {name}", run)
    return out


# ----------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------

def fmt(value, spec=".3g", none="–"):
    if value is None:
        return none
    if isinstance(value, float) and value != value:
        return none
    return format(value, spec)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def mb(value):
    return None if value is None else value / 1e6


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(results: dict) -> str:
    out = []
    env = results["environment"]
    out.append("# Persona benchmark comparison\n")
    out.append(f"Machine: {env['cpu']}, {env['cores']} cores; {env['threads']} threads for every tool; "
               f"median of {env['repeats']} runs. Versions: persona {env.get('persona', '?')}, "
               + ", ".join(f"{k} {v}" for k, v in env["python"].items())
               + f". Peak memory is each process's own (floor {env['memoryFloor'] / 1e6:.0f} MB, the launcher's).\n")
    if results.get("kmeans"):
        out.append("## k-means fit (`--restarts 1` / `n_init=1`, same data, k-means++ except FAISS)\n")
        out.append("*fit s*: the fit phase only (persona: `fitSeconds` of `--timings`; Python: the `fit` "
                   "call on data already in memory). *process s*: the whole process (persona reads the "
                   "CSV; Python tools import and load a .npy). *inertia*: recomputed here in float64 "
                   "from each tool's labels (Σ squared distance to its label means); *own*: as the "
                   "tool reports it. × columns are tool ÷ persona: above 1, persona is faster, smaller or "
                   "lower. Every tool gets seed 1 in round 1, seed 2 in round 2, …: fit times and iterations "
                   "are medians over those starts; inertia is from round 1. *persona, no refinement* stops "
                   "at Lloyd's fixed point as scikit-learn and FAISS do (`--refinement none`); *persona* "
                   "adds the default Hartigan refinement.\n")
        for case in results["kmeans"]:
            tools = case["tools"]
            base = tools.get("persona", {})
            out.append(f"### {case['case']}: n = {case['n']:,}, d = {case['d']}, k = {case['k']}\n")
            rows = []
            for name, t in tools.items():
                rows.append([name, fmt(t.get("fitSeconds"), ".3f"), fmt(ratio(t.get("fitSeconds"), base.get("fitSeconds")), ".2f"),
                             fmt(t.get("wall"), ".2f"), fmt(t.get("iterations"), "d"),
                             fmt(t.get("inertia"), ".7g"), fmt(ratio(t.get("inertia"), base.get("inertia")), ".5f"),
                             fmt(t.get("ownInertia"), ".7g"), fmt(t.get("distanceEvaluations"), ",d"),
                             fmt(mb(t.get("maxRSS")), ".0f"), fmt(ratio(t.get("maxRSS"), base.get("maxRSS")), ".2f")]
                            if t.get("ok") else [name, "failed"] + [""] * 9)
            out.append(md_table(["tool", "fit s", "fit ×", "process s", "iterations", "inertia", "inertia ×",
                                 "own inertia", "distance evals", "peak MB", "peak ×"], rows) + "\n")
            source = base.get("fitSource")
            if source and source != "timings":
                out.append(f"persona's fit seconds come from {'its progress line (training, model and profiles)' if source == 'progress' else 'the whole process'}: "
                           "this persona has no `--timings`.\n")
    if results.get("e2e"):
        out.append("## End to end: CSV → z-score → fit → assignments CSV\n")
        out.append("persona: `persona train --data F --k K --restarts 1 --out M --assignments A.csv` "
                   "(and the same with `--report-dir R`: the report's cost on top); "
                   "Python: `pandas.read_csv` + `StandardScaler` + `KMeans(n_init=1)` + `DataFrame.to_csv` "
                   "(id, persona, distance, runner_up, margin). Whole-process wall time; inertia recomputed "
                   "on the z-scored data from each output's labels.\n")
        rows = []
        for case in results["e2e"]:
            base = case["tools"].get("persona", {})
            for name, t in case["tools"].items():
                phases = ", ".join(f"{k.replace('Seconds', '')} {v:.2f}" for k, v in t.get("phases", {}).items()
                                   if k.endswith("Seconds") and k != "totalSeconds")
                rows.append([case["case"], name, fmt(t.get("wall"), ".2f"), fmt(ratio(t.get("wall"), base.get("wall")), ".2f"),
                             fmt(t.get("inertia"), ".7g"), fmt(ratio(t.get("inertia"), base.get("inertia")), ".5f"),
                             fmt(mb(t.get("maxRSS")), ".0f"),
                             fmt(ratio(t.get("maxRSS"), base.get("maxRSS")), ".2f"), phases or "–"]
                            if t.get("ok") else [case["case"], name, "failed"] + [""] * 6)
        out.append(md_table(["case", "tool", "wall s", "wall ×", "inertia", "inertia ×", "peak MB", "peak ×",
                             "phases s"], rows) + "\n")
    if results.get("csv"):
        c = results["csv"]
        out.append(f"## CSV parsing ({c['rows']:,} rows × {c['columns']} columns, {c['bytes'] / 1e6:.0f} MB, one core)\n")
        rows = [[name, fmt(t.get("megabytesPerSecond"), ".0f"), fmt(t.get("seconds"), ".3f"), fmt(mb(t.get("maxRSS")), ".0f")]
                for name, t in c["tools"].items()]
        out.append(md_table(["parser", "MB/s", "seconds", "peak MB"], rows) + "\n")
    if results.get("assign"):
        a = results["assign"]
        out.append(f"## `persona assign` over {a['rows']:,} rows ({a['bytes'] / 1e6:.0f} MB)\n")
        if a.get("wall"):
            out.append(md_table(["wall s", "rows/s", "MB/s", "peak MB", "peak bytes per row"],
                                [[fmt(a["wall"], ".2f"), fmt(a["rowsPerSecond"], ",.0f"), fmt(a["megabytesPerSecond"], ".0f"),
                                  fmt(mb(a["maxRSS"]), ".0f"), fmt(a["rssBytesPerRow"], ".0f")]]) + "\n")
        else:
            out.append("failed (see the errors below)\n")
    if results.get("memory"):
        out.append("## `persona train` peak memory against the float32 data matrix (n × d × 4 bytes)\n")
        rows = [[m["case"], m["run"], fmt(mb(m["matrixBytes"]), ".0f"), fmt(mb(m["maxRSS"]), ".0f"), fmt(m["ratio"], ".1f")]
                for m in results["memory"]]
        out.append(md_table(["case", "run", "matrix MB", "peak MB", "peak ÷ matrix"], rows) + "\n")
    if results.get("kernels"):
        k = results["kernels"]
        out.append("## Kernels (`persona-bench`)\n")
        rows = []
        machine = k.get("machine")
        if machine:
            for label, figures in (("1 thread", machine["oneThread"]), (f"{machine['allThreads']['bandwidth']['threads']} threads", machine["allThreads"])):
                bw = figures["bandwidth"]
                rows.append([f"machine, {label}", f"read {bw['read'] / 1e9:.1f} GB/s, copy {bw['copy'] / 1e9:.1f}, "
                             f"triad {bw['triad'] / 1e9:.1f}; peak {figures['peakFlops'] / 1e9:.1f} GFLOP/s"])
        p = k.get("assign-pass")
        if p:
            text = f"{p['seconds'] * 1e3:.1f} ms ({p['rowsPerSecond'] / 1e6:.1f} M rows/s)"
            if p.get("bounds"):
                b = p["bounds"]
                text += (f"; bound {b['boundSeconds'] * 1e3:.1f} ms (memory {b['memorySeconds'] * 1e3:.1f}, compute "
                         f"{b['computeSeconds'] * 1e3:.1f}): {100 * b['fractionOfBound']:.0f}% of the bound, "
                         f"{b['achievedFlops'] / 1e9:.1f} GFLOP/s")
            rows.append([f"assign pass {p['rows']:,}×{p['columns']}, k={p['k']}", text])
        for algorithm in ("lloyd", "hamerly", "elkan"):
            it = k.get(f"iterate {algorithm}")
            if it:
                rows.append([f"1 iteration {algorithm} {it['rows']:,}×{it['columns']}, k={it['k']}",
                             f"{it['seconds'] * 1e3:.1f} ms, {it['distanceEvaluations']:,} distance evaluations"])
        s = k.get("seed")
        if s:
            rows.append([f"k-means++ seeding {s['rows']:,}×{s['columns']}, k={s['k']}", f"{s['seconds'] * 1e3:.1f} ms"])
        out.append(md_table(["measurement", "result"], rows) + "\n")
    for note in results.get("notes", []):
        out.append(f"- {note}")
    if results.get("failures"):
        out.append("\n## Errors\n")
        out += [f"- {f}" for f in results["failures"]]
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------------------
# Setup: environment, builds, features
# ----------------------------------------------------------------------------------------

def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv(log) -> None:
    """Creates Benchmarks/.venv with the packages if needed, then re-runs this script in it."""
    python = VENV / "bin" / "python"
    check = "import numpy, pandas, sklearn, threadpoolctl"
    if not python.exists():
        log(f"creating {VENV} ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if subprocess.run([str(python), "-c", check], capture_output=True).returncode != 0:
        log(f"installing {' '.join(PACKAGES)} into {VENV} ...")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=False)
        if subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES]).returncode != 0:
            log("installing without faiss-cpu ...")
            subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                            *[p for p in PACKAGES if p != "faiss-cpu"]], check=True)
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def swift_executable() -> str:
    found = shutil.which("swift")
    if found:
        return found
    for candidate in ("/opt/swift/usr/bin/swift", "/usr/bin/swift"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("error: swift not found (put it on PATH)")


def build(ctx_log, workdir: Path, skip: bool) -> tuple[Path, Path | None]:
    swift = swift_executable()
    persona = ROOT / ".build" / "release" / "persona"
    bench = BENCH_DIR / ".build" / "release" / "persona-bench"
    if not skip:
        ctx_log("building persona (swift build -c release) ...")
        proc = subprocess.run([swift, "build", "-c", "release", "--product", "persona"], cwd=ROOT,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit("error: swift build -c release failed:\n" + (proc.stdout + proc.stderr)[-3000:])
        ctx_log("building persona-bench (swift build -c release --package-path Benchmarks) ...")
        proc = subprocess.run([swift, "build", "-c", "release", "--package-path", str(BENCH_DIR),
                               "--product", "persona-bench"], cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            (workdir / "persona-bench-build.log").write_text(proc.stdout + proc.stderr)
            errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "error:" in line]
            ctx_log("persona-bench does not build; its measurements are skipped "
                    f"(first error: {errors[0].strip() if errors else 'see persona-bench-build.log'})")
            return persona, None
    if not persona.exists():
        raise SystemExit(f"error: {persona} is missing (build it, or drop --skip-build)")
    return persona, bench if bench.exists() else None


def persona_features(persona: Path) -> dict:
    help_text = subprocess.run([str(persona), "train", "--help"], capture_output=True, text=True).stdout
    return {"timings": "--timings" in help_text, "algorithm": "--algorithm" in help_text,
            "swaps": "--swap-trials" in help_text}


def python_versions() -> dict:
    versions = {"python": platform.python_version()}
    for module, label in (("numpy", "numpy"), ("pandas", "pandas"), ("sklearn", "scikit-learn"), ("faiss", "faiss")):
        try:
            versions[label] = __import__(module).__version__
        except Exception:
            versions[label] = None
    return versions


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ----------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description="Compare persona with scikit-learn, FAISS and pandas in one run.")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for a smoke test: cases n20k-k8,n20k-k32, 200,000 rows to assign, "
                             "2 repeats unless --repeats is given")
    parser.add_argument("--cases", help="comma-separated cases nROWS-kK (default: " + ",".join(FULL_CASES) + ")")
    parser.add_argument("--columns", type=int, default=30, help="attribute columns d (default: %(default)s)")
    parser.add_argument("--generator", choices=["blobs", "personas"], default="blobs",
                        help="the data: Gaussian blobs with moderate overlap (default), or "
                             "generate_personas.py's overlapping personas with Likert, flag, count and "
                             "categorical columns, one-hot and standardised once (kmeans and e2e sections)")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="comma-separated sections to run (default: all of %(default)s)")
    parser.add_argument("--repeats", type=int, help="runs per measurement; the median is reported (default: 3)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for every tool (default: all cores, %(default)s)")
    parser.add_argument("--assign-rows", type=int, help="rows of the persona assign file (default: 10,000,000)")
    parser.add_argument("--assign-repeats", type=int, default=1, help="persona assign runs (default: %(default)s)")
    parser.add_argument("--kernel-rows", type=int, help="rows of the persona-bench kernel data (default: 1,000,000)")
    parser.add_argument("--bandwidth-mb", type=int, default=256, help="array size of the bandwidth test (MB)")
    parser.add_argument("--workdir", help="where data and outputs go; generated data is reused from here "
                        "(default: a temporary directory, removed afterwards unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument("--json-out", help="write every raw number here (default: WORKDIR/results.json)")
    parser.add_argument("--skip-build", action="store_true", help="use the existing release binaries")
    parser.add_argument("--no-venv", action="store_true",
                        help="run in the current Python instead of Benchmarks/.venv (it must have the packages)")
    args = parser.parse_args()

    def log(message: str) -> None:
        print(f"[compare] {message}", file=sys.stderr, flush=True)

    if not args.no_venv and not in_venv():
        ensure_venv(log)        # does not return

    args.repeats = args.repeats or (2 if args.quick else 3)
    args.assign_rows = args.assign_rows or (200_000 if args.quick else 10_000_000)
    args.kernel_rows = args.kernel_rows or (100_000 if args.quick else 1_000_000)
    if args.quick and args.bandwidth_mb == 256:
        args.bandwidth_mb = 64
    names = args.cases.split(",") if args.cases else (QUICK_CASES if args.quick else FULL_CASES)
    try:
        cases = [parse_case(name, args.columns) for name in names if name.strip()]
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown or not cases or args.repeats < 1 or args.threads < 1:
        parser.error(f"unknown sections {unknown}" if unknown else "need at least one case, repeat and thread")

    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="persona-compare-") if temporary else args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"work directory: {workdir}")

    persona, bench = build(log, workdir, args.skip_build)
    features = persona_features(persona)
    try:
        import faiss  # noqa: F401
        features["faiss"] = True
    except ImportError:
        features["faiss"] = False
    ctx = Context(args, persona, bench, workdir, features)
    if not features["timings"]:
        ctx.notes.append("this persona has no `train --timings`: its fit seconds come from the progress line "
                         "(`trained in …`: k-means, the projection, sizes and profiles).")
    if bench is None:
        ctx.notes.append("persona-bench did not build, so the CSV parser and kernel figures of persona are missing.")
    if not features["faiss"]:
        ctx.notes.append("faiss-cpu is not installed: FAISS was skipped.")
    ctx.notes.append(f"FAISS runs niter={FAISS_NITER} (its default) from random initial points, with "
                     "max_points_per_centroid = n so that nothing is subsampled; a second run uses persona's "
                     "iteration count.")
    ctx.notes.append("persona refines every start with Hartigan moves after Lloyd (model `training.configuration."
                     "refinement`) and ends with its global swap step; scikit-learn and FAISS stop at Lloyd's "
                     "fixed point. The \"persona, no refinement\" row runs the engine alone (`--refinement none "
                     "--swap-trials 0`).")

    env = {"cpu": cpu_model(), "cores": os.cpu_count(), "threads": args.threads, "repeats": args.repeats,
           "platform": platform.platform(), "python": python_versions(), "features": features,
           "persona": None, "quick": args.quick, "memoryFloor": run_measured(["true"]).max_rss}
    results = {"environment": env, "cases": [c.__dict__ | {"seed": c.seed} for c in cases],
               "kmeans": [], "e2e": [], "csv": None, "assign": None, "memory": [], "kernels": {}}
    datasets = {}
    try:
        for case in cases:
            datasets[case.name] = dataset(case, workdir, log, args.generator)
        if "kmeans" in sections:
            for case in cases:
                results["kmeans"].append(kmeans_case(ctx, case, datasets[case.name]))
        largest = max(case.n for case in cases)
        big = [case for case in cases if case.n == largest]
        if "e2e" in sections:
            for case in big:
                results["e2e"].append(e2e_case(ctx, case, datasets[case.name]))
        if "csv" in sections:
            results["csv"] = csv_section(ctx, big[0], datasets[big[0].name])
        if "assign" in sections:
            smallest = min(cases, key=lambda c: c.n)
            results["assign"] = assign_section(ctx, smallest, datasets[smallest.name])
        if "kernels" in sections:
            results["kernels"] = kernels_section(ctx)
    finally:
        for model in sorted(workdir.glob("*-model-first.json")) + sorted(workdir.glob("*model.json")):
            try:
                env["persona"] = json.loads(model.read_text())["training"]["libraryVersion"]
                break
            except (OSError, KeyError, ValueError):
                continue
        for group, label in ((results["kmeans"], "k-means (--scaling none)"), (results["e2e"], "end to end")):
            for case in group:
                t = case["tools"].get("persona", {})
                if t.get("maxRSS"):
                    width = case["d"]
                    if group is results["e2e"]:
                        # The encoded width (one-hot categories add columns): the model's centroid length.
                        try:
                            model = json.loads((workdir / f"{case['case']}-e2e-model.json").read_text())
                            width = len(model["personas"][0]["centroid"])
                        except (OSError, KeyError, IndexError, ValueError):
                            pass
                    matrix = case["n"] * width * 4
                    results["memory"].append({"case": case["case"], "run": label, "matrixBytes": matrix,
                                              "maxRSS": t["maxRSS"], "ratio": t["maxRSS"] / matrix})
        results["notes"] = ctx.notes
        results["failures"] = ctx.failures
        json_out = Path(args.json_out) if args.json_out else workdir / "results.json"
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(results, indent=2, default=str))
        print(report(results))
        log(f"raw numbers: {json_out}")
        if temporary and not args.keep:
            if args.json_out:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                log(f"kept {workdir} for results.json (pass --json-out to remove it)")
    return 1 if ctx.failures else 0


# ----------------------------------------------------------------------------------------
# Workers: one Python tool per process, so that each process's peak memory is its own
# ----------------------------------------------------------------------------------------

def rss_now() -> int:
    """Current resident set of this process, bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def worker_sklearn(spec: dict) -> dict:
    import numpy as np
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits
    X = np.load(spec["npy"]).astype(spec["dtype"], copy=False)
    loaded = rss_now()
    km = KMeans(n_clusters=spec["k"], n_init=1, init="k-means++", algorithm=spec["algorithm"], tol=TOLERANCE,
                max_iter=MAX_ITER, random_state=spec["seed"])
    with threadpool_limits(limits=spec["threads"]):
        start = time.perf_counter()
        km.fit(X)
        fit = time.perf_counter() - start
    if spec.get("labels"):
        np.save(spec["labels"], km.labels_.astype(np.int32))
    return {"fitSeconds": fit, "iterations": int(km.n_iter_), "ownInertia": float(km.inertia_),
            "rssAfterLoad": loaded}


def worker_faiss(spec: dict) -> dict:
    import faiss
    import numpy as np
    X = np.ascontiguousarray(np.load(spec["npy"]), dtype=np.float32)
    loaded = rss_now()
    faiss.omp_set_num_threads(spec["threads"])
    n, d = X.shape
    km = faiss.Kmeans(d, spec["k"], niter=spec["niter"], seed=spec["seed"], nredo=1, verbose=False,
                      max_points_per_centroid=n, min_points_per_centroid=1)
    start = time.perf_counter()
    km.train(X)
    fit = time.perf_counter() - start
    result = {"fitSeconds": fit, "iterations": spec["niter"], "rssAfterLoad": loaded,
              "distanceEvaluations": n * spec["k"] * spec["niter"]}
    obj = getattr(km, "obj", None)
    if obj is not None and len(obj) > 0:
        result["ownInertia"] = float(obj[-1])    # objective of the last assignment step
    if spec.get("labels"):
        _, labels = km.index.search(X, 1)
        np.save(spec["labels"], labels.ravel().astype(np.int32))
    return result


def worker_read_csv(spec: dict) -> dict:
    import pandas as pd
    path = spec["csv"]
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {c: ("str" if c == "customer_id" else "float64") for c in header}
    pd.read_csv(path, dtype=dtypes)                          # warms the page cache, as persona-bench does
    runs = []
    for _ in range(spec["repeats"]):
        start = time.perf_counter()
        df = pd.read_csv(path, dtype=dtypes)
        runs.append(time.perf_counter() - start)
    size = os.path.getsize(path)
    seconds = statistics.median(runs)
    return {"seconds": seconds, "runs": runs, "bytes": size, "rows": len(df), "columns": df.shape[1],
            "megabytesPerSecond": size / 1e6 / seconds, "engine": "c"}


def worker_e2e(spec: dict) -> dict:
    start = time.perf_counter()
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits
    t0 = time.perf_counter()
    df = pd.read_csv(spec["csv"], dtype={"customer_id": str})
    t1 = time.perf_counter()
    X = StandardScaler().fit_transform(df.drop(columns=["customer_id"]).to_numpy(dtype=np.float64))
    t2 = time.perf_counter()
    with threadpool_limits(limits=spec["threads"]):
        km = KMeans(n_clusters=spec["k"], n_init=1, init="k-means++", tol=TOLERANCE, max_iter=MAX_ITER,
                    random_state=spec["seed"]).fit(X)
        t3 = time.perf_counter()
        distances = km.transform(X)
    order = np.argsort(distances, axis=1)[:, :2]
    rows = np.arange(len(X))
    first, second = distances[rows, order[:, 0]], distances[rows, order[:, 1]]
    out = pd.DataFrame({"customer_id": df["customer_id"], "persona": order[:, 0] + 1, "distance": first,
                        "runner_up": order[:, 1] + 1, "margin": second - first})
    out.to_csv(spec["out"], index=False)
    t4 = time.perf_counter()
    return {"importSeconds": t0 - start, "readSeconds": t1 - t0, "encodeSeconds": t2 - t1, "fitSeconds": t3 - t2,
            "writeSeconds": t4 - t3, "totalSeconds": t4 - start, "iterations": int(km.n_iter_),
            "ownInertia": float(km.inertia_)}


WORKERS = {"sklearn": worker_sklearn, "faiss": worker_faiss, "read-csv": worker_read_csv, "e2e": worker_e2e}

if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "worker":
        print(json.dumps(WORKERS[sys.argv[2]](json.loads(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
