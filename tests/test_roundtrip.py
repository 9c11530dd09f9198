"""Export then import is the identity; importing twice adds nothing (Hypothesis)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import api
from tracker.dates import parse_period
from tracker.model import KINDS, Observation
from tracker.store import Store
from tracker.values import ALLOCATION, Value

text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12).map(str.strip)
# names never hold format characters (zero-width, bidi): import refuses them (issue 14)
names = (st.text(st.characters(exclude_categories=("Cs", "Cc", "Cf")), max_size=12)
         .map(lambda s: " ".join(s.split())).filter(bool))  # fmt: skip
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e12)


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    unit, metric = draw(st.sampled_from([("weeks", "lead_time"), ("CNY/t", "price"), ("%", "share")]))
    a, b = sorted([draw(finite) + 0.0, draw(finite) + 0.0])
    shape = draw(st.sampled_from(["point", "range", "low", "high"] + (["alloc"] if unit == "weeks" else [])))
    value = {
        "point": Value(a, a, approx=draw(st.booleans())),
        "range": Value(a, b),
        "low": Value(a, None, low_strict=draw(st.booleans())),
        "high": Value(None, b, high_strict=draw(st.booleans())),
        "alloc": Value(None, None, special=ALLOCATION),
    }[shape]
    date = draw(st.sampled_from(["2025-07-24", "2025-07", "2025-Q3", "2025", "1999-12-31"]))
    return Observation(
        period=parse_period(date),
        supplier=draw(st.none() | st.sampled_from(["MGC", "Resonac"]) | names),
        material=draw(names),
        product=draw(st.none() | names),
        metric=metric,
        value=value,
        unit=unit,
        entered=draw(names),
        kind=draw(st.sampled_from(KINDS)),
        source=draw(st.none() | names),
        quote=draw(st.none() | text.filter(bool)),
        note=draw(st.none() | text.filter(bool)),
    )


def strip_ids(obs: list[Observation]) -> list[Observation]:
    return sorted((o._replace(id=None) for o in obs), key=repr)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(observations(), min_size=1, max_size=8))
def test_export_import_identity_and_idempotence(obs: list[Observation]) -> None:
    with tempfile.TemporaryDirectory() as d:
        first = Store.open(Path(d) / "a.db")
        first.insert(obs)
        buf = io.StringIO(newline="")
        api.export_csv(first, buf)
        stored = first.observations()
        csv_file = Path(d) / "x.csv"
        csv_file.write_text(buf.getvalue(), encoding="utf-8", newline="")

        second = Store.open(Path(d) / "b.db")
        res = api.import_files(second, [str(csv_file)])
        assert res == (len(stored), 0)
        assert strip_ids(second.observations()) == strip_ids(stored)
        assert api.import_files(second, [str(csv_file)]) == (0, len(stored))
        assert second.count() == len(stored)
