#!/usr/bin/env python3
"""Writes the synthetic order log SampleData/orders-2026.csv (deterministic: a fixed seed and
its own SplitMix64 generator, so every Python version writes the same bytes).

300 customers of four kinds (occasional, regular, big-basket, lapsing) order between
2025-01-01 and 2026-12-31; one row per order: order_id, customer, order_date (ISO),
amount (EUR, two decimals) and quantity (units).

    python3 Scripts/generate_orders.py [OUT.csv]
"""
import datetime
import math
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) / float(1 << 53)

    def below(self, n):
        return int(self.uniform() * n)

    def exponential(self, mean):
        return -mean * math.log(1.0 - self.uniform())


# kind: (mean days between orders, mean amount, mean units, share of customers)
KINDS = [
    ("occasional", 90.0, 35.0, 1.5, 0.40),
    ("regular", 21.0, 45.0, 2.5, 0.30),
    ("big-basket", 60.0, 180.0, 6.0, 0.15),
    ("lapsing", 14.0, 30.0, 2.0, 0.15),
]
START = datetime.date(2025, 1, 1)
END = datetime.date(2026, 12, 31)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "SampleData/orders-2026.csv"
    rng = SplitMix64(2026)
    span = (END - START).days
    orders = []
    for c in range(1, 301):
        u = rng.uniform()
        acc = 0.0
        for kind in KINDS:
            acc += kind[4]
            if u < acc:
                break
        name, gap, amount, units, _ = kind
        first = rng.below(span - 30)
        last = span if name != "lapsing" else min(span, first + 60 + rng.below(240))
        day = first
        while day <= last:
            date = START + datetime.timedelta(days=day)
            value = max(1.0, amount * (0.4 + 1.2 * rng.uniform()))
            count = 1 + int(rng.exponential(units - 1.0)) if units > 1 else 1
            orders.append((date, "C%04d" % c, round(value, 2), count))
            day += 1 + int(rng.exponential(gap))
    orders.sort()
    with open(out, "w", newline="") as f:
        f.write("order_id,customer,order_date,amount,quantity\n")
        for i, (date, customer, value, count) in enumerate(orders, 1):
            f.write("O%06d,%s,%s,%.2f,%d\n" % (i, customer, date.isoformat(), value, count))
    print("wrote %d orders of 300 customers to %s" % (len(orders), out), file=sys.stderr)


if __name__ == "__main__":
    main()
