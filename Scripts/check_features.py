#!/usr/bin/env python3
"""Checks `persona features` against an independent pandas computation of every column.

    python3 Scripts/check_features.py --orders SampleData/orders-2026.csv --customer-column customer \
        --date-column order_date --amount-column amount [--quantity-column quantity] \
        --period quarter [--as-of 2026-05-15] --out-dir out/features

Runs nothing itself: compares the tables already written into --out-dir (same options as the
command; ISO dates only) with the ones pandas computes from the order log, file by file,
customer by customer: integers exactly, sums and means to 1e-9 relative. Exits 1 on any
difference. Needs pandas (`pip install --user pandas`).
"""
import argparse
import math
import os
import sys

import pandas as pd

FREQ = {"month": "M", "quarter": "Q", "year": "Y"}


def expected_tables(args):
    log = pd.read_csv(args.orders, dtype={args.customer_column: str}, keep_default_na=False)
    dates = pd.to_datetime(log[args.date_column].str.slice(0, 10), format="%Y-%m-%d")
    orders = pd.DataFrame({
        "customer": log[args.customer_column].str.strip(),
        "date": dates,
        "amount": log[args.amount_column].astype(float),
    })
    if args.quantity_column:
        orders["units"] = log[args.quantity_column].astype(float)
    if args.as_of:
        orders = orders[orders["date"] <= pd.Timestamp(args.as_of)]
    last = pd.Timestamp(args.as_of) if args.as_of else orders["date"].max()
    periods = pd.period_range(orders["date"].min().to_period(FREQ[args.period]), last.to_period(FREQ[args.period]),
                              freq=FREQ[args.period])
    tables = {}
    for period in periods:
        start = period.start_time.normalize()
        end = min(period.end_time.normalize(), last) if args.as_of else period.end_time.normalize()
        upto = orders[orders["date"] <= end]
        inside = upto[upto["date"] >= start]
        rows = {}
        for customer, group in upto.groupby("customer", sort=False):
            days = sorted(group["date"])
            gaps = [(b - a).days for a, b in zip(days, days[1:])]
            mine = inside[inside["customer"] == customer]
            row = {
                "online_recency_days": (end - days[-1]).days,
                "online_frequency_period": len(mine),
                "online_frequency_total": len(group),
                "online_monetary_period": float(mine["amount"].sum()),
                "online_monetary_total": float(group["amount"].sum()),
                "online_tenure_days": (end - days[0]).days,
                "online_average_order_value": float(group["amount"].mean()),
                "online_mean_days_between_orders": (sum(gaps) / len(gaps)) if gaps else None,
            }
            if args.quantity_column:
                row["online_units_period"] = float(mine["units"].sum())
                row["online_units_total"] = float(group["units"].sum())
            rows[customer] = row
        tables["customers-%s.csv" % end.strftime("%Y-%m-%d")] = rows
    return tables


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main():
    parser = argparse.ArgumentParser()
    for name in ["orders", "customer-column", "date-column", "amount-column", "period", "out-dir"]:
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--quantity-column")
    parser.add_argument("--as-of")
    args = parser.parse_args()
    expected = expected_tables(args)
    written = sorted(f for f in os.listdir(args.out_dir) if f.startswith("customers-") and f.endswith(".csv"))
    problems = []
    if written != sorted(expected):
        problems.append("files: wrote %s, expected %s" % (written, sorted(expected)))
    cells = 0
    for name in sorted(set(written) & set(expected)):
        table = pd.read_csv(os.path.join(args.out_dir, name), dtype={"customer_id": str}, keep_default_na=False)
        want = expected[name]
        if sorted(table["customer_id"]) != sorted(want):
            problems.append("%s: customers differ" % name)
            continue
        for record in table.to_dict("records"):
            row = want[record["customer_id"]]
            if set(record) - {"customer_id"} != set(row):
                problems.append("%s: columns %s, expected %s" % (name, sorted(record), sorted(row)))
                break
            for column, value in row.items():
                got = record[column]
                cells += 1
                if value is None:
                    ok = got == ""
                elif column.endswith(("_days", "frequency_period", "frequency_total")) and "mean" not in column:
                    ok = got != "" and float(got) == value and float(got).is_integer()
                else:
                    ok = got != "" and close(float(got), value)
                if not ok:
                    problems.append("%s: %s %s: wrote %r, expected %r" % (name, record["customer_id"], column, got, value))
    for line in problems[:20]:
        print(line, file=sys.stderr)
    if problems:
        print("%d differences" % len(problems), file=sys.stderr)
        return 1
    print("%d files, %d cells agree with pandas" % (len(expected), cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
