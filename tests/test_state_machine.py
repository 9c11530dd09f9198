"""Hypothesis, stateful: random sequences of import, add, correct and delete, and after every
step the stored series summaries equal a recomputation from the observations."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tracker import api
from tracker.analysis import check_stated, summarise
from tracker.errors import TrackerError
from tracker.report import build_rows
from tracker.store import Store

DATES = ["2024", "2024-Q3", "2024-07", "2024-07-01", "2024-08-15", "2025-01", "2025"]
VALUES = ["4", "6", "8-10", "16-20", ">=6", "<=22", "~15", ">12", "0", "allocation"]
SERIES = [("MGC", "BT resin", "NSA"), ("", "ABF", ""), ("Nittobo", "glass cloth", "7628")]

row = st.fixed_dictionaries({
    "date": st.sampled_from(DATES),
    "series": st.sampled_from(SERIES),
    "value": st.sampled_from(VALUES),
    "kind": st.sampled_from(["observed", "baseline", "forecast"]),
    "source": st.sampled_from(["", "a", "b"]),
})  # fmt: skip


def fields(r: dict) -> dict[str, str]:  # type: ignore[type-arg]
    supplier, material, product = r["series"]
    return {"date": r["date"], "supplier": supplier, "material": material, "product": product,
            "metric": "lead_time", "value": r["value"], "unit": "weeks", "kind": r["kind"],
            "source": r["source"]}  # fmt: skip


class Writes(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.store = Store.open(self.folder / "m.db")
        self.n = 0

    def current(self) -> list[int]:
        return [o.id for o in self.store.observations() if o.id is not None]

    @rule(rows=st.lists(row, min_size=1, max_size=6))
    def import_rows(self, rows: list[dict]) -> None:  # type: ignore[type-arg]
        self.n += 1
        path = self.folder / f"f{self.n}.csv"
        cols = list(fields(rows[0]))
        lines = [",".join(cols)] + [",".join(fields(r)[c] for c in cols) for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        api.import_files(self.store, [str(path)])

    @rule(r=row)
    def add(self, r: dict) -> None:  # type: ignore[type-arg]
        api.add_observation(self.store, {k: v for k, v in fields(r).items() if v})

    @precondition(lambda self: self.store.count() > 0)
    @rule(pick=st.integers(0, 10_000), value=st.sampled_from(VALUES), date=st.sampled_from(DATES))
    def correct(self, pick: int, value: str, date: str) -> None:
        ids = self.current()
        if ids:
            # the same figure stored already is refused, and nothing written
            with contextlib.suppress(TrackerError):
                api.correct(self.store, ids[pick % len(ids)], {"value": value, "date": date},
                            by="t", reason="r")  # fmt: skip

    @precondition(lambda self: self.store.count() > 0)
    @rule(pick=st.integers(0, 10_000))
    def delete(self, pick: int) -> None:
        ids = self.current()
        if ids:
            api.retract(self.store, ids[pick % len(ids)], by="t", reason="r")

    @invariant()
    def summaries_are_a_recomputation(self) -> None:
        assert self.store.stale_states() == []
        obs = self.store.observations()
        assert api.summaries(self.store) == summarise(obs)
        assert api.report_rows(self.store) == build_rows(summarise(obs), check_stated(obs))

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)


Writes.TestCase.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
test_writes_keep_the_summaries = Writes.TestCase
