"""Deterministic synthetic observations in the interchange format, for benchmarks and tests.

The shape follows issue 5: suppliers x products x 2 metrics (lead_time in
weeks, price in CNY/t), weekly dates, one in five figures a range.  The same
(rows, seed) always gives the same bytes.

    python bench/generate.py 1000000 /tmp/big.csv
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

HEADER = ["date", "supplier", "material", "product", "metric", "value", "unit", "kind", "source"]
SUPPLIERS, PRODUCTS = 200, 50


def rows(
    n: int, seed: int = 7, suppliers: int = SUPPLIERS, products: int = PRODUCTS
) -> Iterator[list[str]]:
    """n data rows: every series gets a figure for week 1, then week 2, ..."""
    rnd = random.Random(seed)
    start = date(2020, 1, 6)
    per_week = suppliers * products * 2
    for i in range(n):
        week, k = divmod(i, per_week)
        s, rest = divmod(k, products * 2)
        p, m = divmod(rest, 2)
        day = (start + timedelta(weeks=week)).isoformat()
        if m == 0:
            base = rnd.randint(2, 30)
            value = f"{base}-{base + rnd.randint(1, 6)}" if rnd.random() < 0.2 else str(base)
            metric, unit = "lead_time", "weeks"
        else:
            base = round(rnd.uniform(1, 400), 2)
            value = f"{base}-{round(base * 1.1, 2)}" if rnd.random() < 0.2 else str(base)
            metric, unit = "price", "CNY/t"
        yield [day, f"Supplier {s:03d}", "glass cloth", f"P{p:02d}", metric, value, unit,
               "observed", "synthetic feed"]  # fmt: skip


def write(path: str | Path, n: int, seed: int = 7, **shape: int) -> Path:
    """Write n rows plus the header to `path`."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows(n, seed, **shape))
    return path


if __name__ == "__main__":
    write(sys.argv[2], int(sys.argv[1]))
