"""Suppliers, their aliases, sources and series: the names observations point at.

Ids are handed out inside the caller's transaction and remembered for the
connection (a rollback forgets them).  A row that exists already is found,
never written again, so a write that changes nothing leaves no trace.
Plain SQL with ``?`` parameters, for any backend (see tracker.store.sqlite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tracker.model import Observation
from tracker.suppliers import alias_key, alias_map, resolve

SeriesKey = tuple[str | None, str, str | None, str, str]


def series_text_key(
    supplier_id: int | None, material: str, product: str | None, metric: str, unit: str
) -> str:
    """series.key: one series however material and product are spelled."""
    return "\x1f".join((str(supplier_id or 0), material.casefold(), (product or "").casefold(),
                        metric, unit))  # fmt: skip


class Names:
    """The names side of a Store (needs ``self.conn``)."""

    conn: Any

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}  # (table, key) -> id, within this connection
        self._series: dict[SeriesKey, int] = {}
        self._alias_cache: dict[str, str] | None = None
        self._sources: dict[str, int] = {}

    def _forget_ids(self) -> None:
        """After a rollback: the ids handed out inside it are gone with it."""
        self._ids.clear()
        self._series.clear()
        self._sources.clear()
        self._alias_cache = None

    def aliases(self) -> dict[str, str]:
        """alias key -> canonical supplier name, including suppliers users added."""
        out = alias_map()
        for alias, name in self.conn.execute(
            "SELECT a.alias, s.name FROM supplier_aliases a "
            "JOIN suppliers s ON s.id = a.supplier_id"
        ):
            out[alias] = name
        return out

    def _aliases(self) -> dict[str, str]:
        if self._alias_cache is None:
            self._alias_cache = self.aliases()
        return self._alias_cache

    def _add_supplier(
        self, name: str, name_zh: str | None = None, country: str | None = None,
        aliases: Iterable[str] = (),
    ) -> int:  # fmt: skip
        sid = self._made_or_found(
            "INSERT INTO suppliers (name, name_zh, country) VALUES (?, ?, ?)",
            (name, name_zh, country), "SELECT id FROM suppliers WHERE name = ?", (name,),
        )  # fmt: skip
        for n in (name, name_zh, *aliases):
            if n and self._alias_cache is not None:
                self._alias_cache.setdefault(alias_key(n), name)  # 'foo' now finds 'Foo'
            if n:
                self.conn.execute(
                    "INSERT INTO supplier_aliases (alias, supplier_id) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (alias_key(n), sid),
                )
        return sid

    def _made_or_found(
        self, insert: str, values: tuple[Any, ...], select: str, key: tuple[Any, ...]
    ) -> int:
        """The id of a new row, or of the row already there: nothing is written for a
        row that exists (so a write that changes nothing leaves no trace)."""
        row = self.conn.execute(f"{insert} ON CONFLICT DO NOTHING RETURNING id", values).fetchone()
        if row is None:
            row = self.conn.execute(select, key).fetchone()
        return int(row[0])

    def _id(self, table: str, key: str, make: Callable[[], int]) -> int:
        got = self._ids.get((table, key))
        if got is None:
            got = self._ids[(table, key)] = make()
        return got

    def source_id(self, name: str | None) -> int | None:
        """The id of source `name`, made if new (None for no source)."""
        if not name:
            return None
        got = self._sources.get(name)
        if got is None:
            got = self._sources[name] = self._made_or_found(
                "INSERT INTO sources (name) VALUES (?)", (name,),
                "SELECT id FROM sources WHERE name = ?", (name,),
            )  # fmt: skip
        return got

    def series_id(self, key: SeriesKey) -> int:
        """The id of series (supplier, material, product, metric, canonical unit), made if new."""
        got = self._series.get(key)
        if got is None:
            got = self._series[key] = self._series_row(*key)
        return got

    def _series_row(
        self, supplier: str | None, material: str, product: str | None, metric: str, unit: str
    ) -> int:
        supplier_id = self._supplier_of(supplier)
        key = series_text_key(supplier_id, material, product, metric, unit)
        return self._id("series", key, lambda: self._made_or_found(
            "INSERT INTO series (supplier_id, material, product, metric, unit, key) "
            "VALUES (?, ?, ?, ?, ?, ?)", (supplier_id, material, product, metric, unit, key),
            "SELECT id FROM series WHERE key = ?", (key,),
        ))  # fmt: skip

    def _supplier_of(self, supplier: str | None) -> int | None:
        """The id of a series' supplier (made if new); any alias resolves to its supplier
        here too, for callers that skip the importer."""
        if not supplier:
            return None
        name = resolve(supplier, self._aliases())
        return self._id("suppliers", name, lambda: self._add_supplier(name))

    def resolve_ids(
        self, keys: list[tuple[Any, ...]], sources: list[str]
    ) -> tuple[list[int], list[int]]:
        """Ids of series keys and source names, made where new (for tracker.bulk's reader).

        A feed meets thousands of series at once: those not known yet are made by one
        INSERT of them all (in the order given, so the first spelling of a series is
        the one kept, as series_id would keep it) and found by one SELECT per 500,
        instead of two statements each."""
        texts: dict[SeriesKey, str] = {}
        rows: dict[str, tuple[Any, ...]] = {}  # series.key -> its row, first spelling first
        for k in map(tuple, keys):
            if k in self._series or k in texts:
                continue
            supplier, material, product, metric, unit = k
            supplier_id = self._supplier_of(supplier)
            text = texts[k] = series_text_key(supplier_id, material, product, metric, unit)
            if ("series", text) not in self._ids:
                rows.setdefault(text, (supplier_id, material, product, metric, unit, text))
        if rows:
            self.conn.executemany(
                "INSERT INTO series (supplier_id, material, product, metric, unit, key) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", list(rows.values()),
            )  # fmt: skip
            made = list(rows)
            for i in range(0, len(made), 500):
                chunk = made[i : i + 500]
                marks = ", ".join("?" * len(chunk))
                for text, sid in self.conn.execute(
                    f"SELECT key, id FROM series WHERE key IN ({marks})", chunk
                ):
                    self._ids[("series", text)] = sid
        for k, text in texts.items():
            self._series[k] = self._ids[("series", text)]
        return ([self.series_id(tuple(k)) for k in keys],
                [self._source_id(n) for n in sources])  # fmt: skip

    def _source_id(self, name: str) -> int:
        got = self.source_id(name)
        assert got is not None
        return got

    def series_key_text(self, o: Observation) -> str:
        """series.key of `o`'s series, without making anything (-1: an unknown supplier)."""
        sid = None
        if o.supplier:
            name = resolve(o.supplier, self._aliases())
            r = self.conn.execute("SELECT id FROM suppliers WHERE name = ?", (name,)).fetchone()
            sid = r[0] if r else -1
        return series_text_key(sid, o.material, o.product, o.metric, o.unit)
