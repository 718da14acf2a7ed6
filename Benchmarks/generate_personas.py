#!/usr/bin/env python3
"""Write a synthetic customer CSV with k planted, overlapping personas.

Every row belongs to one of k personas (unequal shares). A persona is a mean and a
covariance of 28 latent variables: the means differ on about half of the latent variables
(by `--separation` standard deviations, times a standard normal), and the covariance is a
random correlation matrix of its own (three random factors plus independent noise), so the
noise is correlated and differently so in every persona. The latent variables become
columns of the kinds customer data has:

| kind | columns | from the latent value z |
|---|---|---|
| continuous | 6: income, savings (lognormal, two decimals), minutes online, TV hours (lognormal, one decimal), age, steps (whole numbers) | exp(a + b·z), or a + b·z rounded and clipped |
| ordinal | 12 Likert items, levels 1-5 | z cut at -1.5, -0.5, 0.5, 1.5 |
| binary | 6 flags, 0/1 | z above a threshold of its own |
| count | 4 counts | Poisson with mean exp(a + b·z) |
| categorical | 2: household (4 values), preferred channel (3 values) | drawn from the persona's own probabilities |

after a `customer_id` column (`c0000001`, ...). Column names carry the persona group
prefixes (`finance_`, `wish_`, `fear_`, ...; Docs/Schema.md), and the whole numbers 1-5
and 0/1 make `persona train` infer the same kinds as the schema this script writes.

The rows are generated and written in chunks of `--chunk` rows (default 200,000), each with
a generator of its own derived from the seed and the chunk's number: memory stays bounded
whatever --rows, and the same seed gives the same bytes. The CSV text is built with array
operations (no per-cell formatting), about 1,000,000 rows in a few seconds.

    python3 Benchmarks/generate_personas.py --rows 1000000 --personas 8 --seed 1 --out customers.csv

writes customers.csv, customers.schema.json (the persona schema: kinds, levels,
categories; `--schema-out`) and, with `--truth-out FILE`, each row's planted persona
(`customer_id,persona`). Requirements: Python 3 and numpy.
"""
import argparse, json, os, sys, time
import numpy as np

LATENT = 28  # continuous 6 + ordinal 12 + binary 6 + count 4

# name, digits after the point, function of z (vectorised), clip range
CONTINUOUS = [
    ("finance_monthly_income_eur", 2, lambda z: np.exp(7.8 + 0.45 * z), (0, 9_999_999)),
    ("finance_savings_eur", 2, lambda z: np.exp(8.6 + 0.7 * z), (0, 9_999_999)),
    ("online_minutes_per_day", 1, lambda z: np.exp(3.4 + 0.5 * z), (0, 99_999)),
    ("media_tv_hours_per_week", 1, lambda z: np.exp(2.3 + 0.45 * z), (0, 999)),
    ("lifestyle_age", 0, lambda z: 46 + 14 * z, (18, 95)),
    ("health_steps_per_day", 0, lambda z: 7000 + 2600 * z, (0, 40_000)),
]
ORDINAL = ["wish_sustainability", "wish_premium_quality", "wish_convenience", "need_personal_advice",
           "need_low_prices", "need_fast_delivery", "fear_data_privacy", "fear_financial_loss",
           "fear_missing_out", "lifestyle_outdoor_affinity", "media_social_affinity", "health_self_rated"]
BINARY = ["finance_owns_home", "online_mobile_banking", "online_newsletter", "lifestyle_has_children",
          "media_streaming_subscriber", "health_gym_member"]
COUNT = [("online_sessions_per_month", 2.6, 0.5), ("finance_products_held", 0.9, 0.4),
         ("lifestyle_trips_per_year", 1.0, 0.5), ("media_articles_per_week", 1.8, 0.6)]
CATEGORICAL = [("lifestyle_household", ["couple", "family", "shared", "single"]),
               ("online_preferred_channel", ["app", "store", "web"])]
GROUPS = {"lifestyle_": "lifestyle", "media_": "media", "online_": "online", "wish_": "wishes",
          "need_": "needs", "fear_": "fears", "finance_": "finance", "health_": "health"}


def group(name):
    return next((g for prefix, g in GROUPS.items() if name.startswith(prefix)), "other")


class Personas:
    """The planted personas: shares, latent means, Cholesky factors, thresholds, category probabilities."""

    def __init__(self, k, separation, seed):
        rng = np.random.default_rng([seed, 0])
        self.k = k
        # Unequal shares, none below a third of the even share.
        shares = rng.dirichlet(np.full(k, 4.0))
        shares = np.maximum(shares, 1 / (3 * k))
        self.shares = shares / shares.sum()
        active = rng.random((k, LATENT)) < 0.5
        self.means = separation * rng.standard_normal((k, LATENT)) * active
        self.factors = []
        for _ in range(k):
            loadings = rng.normal(0, 0.45, (LATENT, 3))
            cov = loadings @ loadings.T + np.diag(rng.uniform(0.5, 1.0, LATENT))
            scale = 1 / np.sqrt(np.diag(cov))
            self.factors.append(np.linalg.cholesky(cov * np.outer(scale, scale)))
        self.binary_thresholds = rng.uniform(-0.6, 0.6, len(BINARY))
        self.categories = [rng.dirichlet(np.full(len(values), 1.0), size=k) for _, values in CATEGORICAL]


def digits(values, width, pad=False):
    """Right-aligned ASCII digits of non-negative integers, n × width; leading zeros are 0 bytes
    (dropped when the text is joined) unless `pad`."""
    values = values.astype(np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out = (values[:, None] // powers % 10 + 48).astype(np.uint8)
    if not pad:
        out[(values[:, None] < powers) & (powers > 1)] = 0
    return out


def fixed(values, decimals, low, high):
    """Numbers with `decimals` digits after the point, as n × width bytes (0 bytes are dropped later)."""
    scaled = np.rint(np.clip(values, low, high) * 10 ** decimals).astype(np.int64)
    width = len(str(int(high * 10 ** decimals)))
    if decimals == 0:
        return digits(scaled, width)
    whole = digits(scaled // 10 ** decimals, max(1, width - decimals))
    point = np.full((len(values), 1), ord("."), np.uint8)
    frac = (scaled[:, None] // 10 ** np.arange(decimals - 1, -1, -1) % 10 + 48).astype(np.uint8)
    return np.hstack([whole, point, frac])


def labels(table, index):
    """Category labels as n × width bytes from a table of labels."""
    width = max(len(v) for v in table)
    codes = np.zeros((len(table), width), np.uint8)
    for i, v in enumerate(table):
        codes[i, :len(v)] = np.frombuffer(v.encode(), np.uint8)
    return codes[index]


def chunk(personas, start, rows, seed, number):
    """The CSV bytes and planted personas of rows start ..< start + rows."""
    rng = np.random.default_rng([seed, 1, number])
    truth = rng.choice(personas.k, size=rows, p=personas.shares)
    z = rng.standard_normal((rows, LATENT))
    for p in range(personas.k):
        mask = truth == p
        z[mask] = z[mask] @ personas.factors[p].T + personas.means[p]
    columns = [np.hstack([np.full((rows, 1), ord("c"), np.uint8), digits(np.arange(start + 1, start + rows + 1), 7, pad=True)])]
    j = 0
    for _, decimals, f, (low, high) in CONTINUOUS:
        columns.append(fixed(f(z[:, j]), decimals, low, high)); j += 1
    for _ in ORDINAL:
        columns.append(digits(1 + np.searchsorted([-1.5, -0.5, 0.5, 1.5], z[:, j]), 1)); j += 1
    for b in range(len(BINARY)):
        columns.append(digits((z[:, j] > personas.binary_thresholds[b]).astype(np.int64), 1)); j += 1
    for _, a, s in COUNT:
        columns.append(digits(np.minimum(rng.poisson(np.exp(a + s * z[:, j])), 9999), 4)); j += 1
    for (_, values), probabilities in zip(CATEGORICAL, personas.categories):
        u = rng.random(rows)
        index = (u[:, None] > np.cumsum(probabilities[truth], axis=1)[:, :-1]).sum(axis=1)
        columns.append(labels(values, index))
    parts = []
    for c in columns:
        parts.append(c)
        parts.append(np.full((rows, 1), ord(","), np.uint8))
    parts[-1] = np.full((rows, 1), ord("\n"), np.uint8)
    text = np.hstack(parts).ravel()
    return text[text != 0].tobytes(), truth


def header():
    return ["customer_id"] + [c[0] for c in CONTINUOUS] + ORDINAL + BINARY + [c[0] for c in COUNT] + [c[0] for c in CATEGORICAL]


def schema():
    attributes = [{"name": c[0], "group": group(c[0]), "kind": "continuous"} for c in CONTINUOUS]
    attributes += [{"name": n, "group": group(n), "kind": "ordinal", "levels": [1, 2, 3, 4, 5]} for n in ORDINAL]
    attributes += [{"name": n, "group": group(n), "kind": "binary"} for n in BINARY]
    attributes += [{"name": c[0], "group": group(c[0]), "kind": "continuous"} for c in COUNT]
    attributes += [{"name": n, "group": group(n), "kind": "categorical", "categories": values} for n, values in CATEGORICAL]
    for a in attributes:
        a.update(role="segment", weight=1)
    return {"idColumn": "customer_id", "weightColumn": None, "attributes": attributes}


def write_atomically(path, write):
    temporary = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.partial")
    with open(temporary, "wb") as f:
        write(f)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to write (default 100,000)")
    parser.add_argument("--personas", type=int, default=6, help="planted personas k (default 6)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--separation", type=float, default=1.0,
                        help="spread of the persona means in latent standard deviations (default 1.0; smaller overlaps more)")
    parser.add_argument("--out", required=True, help="the CSV to write")
    parser.add_argument("--schema-out", help="the schema JSON to write (default: OUT with .schema.json; 'none' for no schema)")
    parser.add_argument("--truth-out", help="also write customer_id,persona (the planted persona of every row) here")
    parser.add_argument("--chunk", type=int, default=200_000, help="rows generated at a time (default 200,000)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args()
    if args.rows < 1 or args.rows > 9_999_999:
        parser.error(f"--rows {args.rows}: must lie within 1 ... 9,999,999")
    if args.personas < 1 or args.personas > 50:
        parser.error(f"--personas {args.personas}: must lie within 1 ... 50")
    if args.separation < 0 or args.chunk < 1:
        parser.error("--separation must be ≥ 0 and --chunk ≥ 1")
    started = time.time()
    personas = Personas(args.personas, args.separation, args.seed)
    truths = []

    def write_csv(f):
        f.write((",".join(header()) + "\n").encode())
        for number, start in enumerate(range(0, args.rows, args.chunk)):
            text, truth = chunk(personas, start, min(args.chunk, args.rows - start), args.seed, number)
            f.write(text)
            if args.truth_out:
                truths.append(truth)

    write_csv_path = args.out
    write_atomically(write_csv_path, write_csv)
    schema_out = args.schema_out or (os.path.splitext(args.out)[0] + ".schema.json")
    if schema_out != "none":
        write_atomically(schema_out, lambda f: f.write((json.dumps(schema(), indent=2) + "\n").encode()))
    if args.truth_out:
        truth = np.concatenate(truths)
        ids = np.hstack([np.full((len(truth), 1), ord("c"), np.uint8), digits(np.arange(1, len(truth) + 1), 7, pad=True),
                         np.full((len(truth), 1), ord(","), np.uint8), digits(truth, 2),
                         np.full((len(truth), 1), ord("\n"), np.uint8)]).ravel()
        write_atomically(args.truth_out, lambda f: (f.write(b"customer_id,persona\n"), f.write(ids[ids != 0].tobytes())))
    if not args.quiet:
        shares = ", ".join(f"{s:.3f}" for s in personas.shares)
        print(f"wrote {args.rows} rows × {len(header()) - 1} attributes, {args.personas} personas (shares {shares}) "
              f"to {args.out} in {time.time() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
