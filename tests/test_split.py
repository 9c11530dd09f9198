"""Work split over two processes (import reader, report and export halves): the same
result as one process, and safe when things go wrong (found by review)."""

from __future__ import annotations

import errno
import io
import os
import signal
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import seeded_synthetic

from tracker import api, pipes, report
from tracker.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import write as write_synthetic


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = seeded_synthetic(tmp_path, 2000)
    yield s
    s.close()


def export_bytes(store: Store, split: bool, encoding: str = "utf-8") -> bytes:
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        api.export_csv(store, text, split=split)
        text.flush()
        raw.seek(0)
        return raw.read()


def test_an_export_racing_a_correction_is_the_state_before_or_after(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = export_bytes(store, False)
    real = Store.detached

    def correct_meanwhile(self: Store):  # type: ignore[no-untyped-def]
        other = Store.open(self.path)  # another process's write, after the first look
        try:
            api.correct(other, 5, {"value": "4.4"}, by="t", reason="race")
        finally:
            other.close()
        return real(self)

    monkeypatch.setattr(Store, "detached", correct_meanwhile)
    assert store.only_connection()
    raced = export_bytes(store, True)
    monkeypatch.setattr(Store, "detached", real)
    after = export_bytes(store, False)
    assert raced == after != before  # rows made after the first look are not lost


def test_a_failing_half_does_not_hang_on_the_other(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = report.csv_lines

    def fail_here(*a, **k):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            raise RuntimeError("this half failed")
        return real(*a, **k)

    monkeypatch.setattr(report, "csv_lines", fail_here)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("hung waiting for the other process"))
    signal.alarm(20)
    try:
        with pytest.raises(RuntimeError, match="this half failed"):
            api.report_csv(store, split=True)
    finally:
        signal.alarm(0)
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    for _ in range(3):
        with pytest.raises(RuntimeError):
            api.report_csv(store, split=True)
    if fds:
        assert len(os.listdir("/proc/self/fd")) == fds  # no pipe left open


def test_no_split_inside_the_callers_snapshot(store: Store) -> None:
    alone = report.to_csv(api.report_rows(store))
    assert store.only_connection()
    with store.snapshot():
        assert not store.only_connection()
        assert api.report_csv(store, split=True) == alone  # the snapshot is not closed under it
        assert api.report_csv(store) == alone  # the library default: one process
        assert store.count() > 2000


def test_a_non_utf8_export_is_not_split(store: Store) -> None:
    assert export_bytes(store, True, "gb18030") == export_bytes(store, False, "gb18030")


def test_a_relative_path_survives_a_change_of_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "data")
    s = Store.open("t.db")
    try:
        api.import_files(
            s, [str(write_synthetic(tmp_path / "g.csv", 300, suppliers=3, products=4))]
        )
        alone = report.to_csv(api.report_rows(s))
        monkeypatch.chdir(tmp_path / "elsewhere")
        assert api.report_csv(s, split=True) == alone
        assert os.listdir(tmp_path / "elsewhere") == []
    finally:
        s.close()


def test_without_a_process_to_fork_the_work_is_done_here(store: Store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    alone_report = report.to_csv(api.report_rows(store))
    alone_export = export_bytes(store, False)

    def refused() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    assert api.report_csv(store, split=True) == alone_report
    assert export_bytes(store, True) == alone_export
    monkeypatch.setenv("TRACKER_FORK_MIN_BYTES", "1")
    more = write_synthetic(tmp_path / "more.csv", 500, seed=3, suppliers=2, products=3)
    assert api.import_files(store, [str(more)]).added > 0


def test_the_child_ignores_ctrl_c() -> None:
    with pipes.in_child(lambda: signal.getsignal(signal.SIGINT) is signal.SIG_IGN) as result:
        assert result() is True


def test_only_a_write_that_changes_something_is_counted(tmp_path: Path) -> None:
    from conftest import dump

    feed = write_synthetic(tmp_path / "f.csv", 50, suppliers=2, products=2)
    s = Store.open(tmp_path / "c.db")
    try:
        api.import_files(s, [str(feed)])
        first = s.changes()
        assert first >= 1
        before = dump(tmp_path / "c.db")
        again = Store.open(tmp_path / "c.db")  # a new process knows no ids yet
        try:
            assert api.import_files(again, [str(feed)]).added == 0
        finally:
            again.close()
        assert s.changes() == first and dump(tmp_path / "c.db") == before  # re-import: no trace
        api.add_observation(s, {"date": "2024", "material": "x", "metric": "price", "value": "1",
                                "unit": "CNY/t"})  # fmt: skip
        assert s.changes() == first + 1
    finally:
        s.close()


def test_work_forked_from_a_thread_still_comes_back(store: Store) -> None:
    import threading

    alone = report.to_csv(api.report_rows(store))
    path = store.path
    store.close()  # the thread's Store is then the process's only one: it may fork
    got: list[object] = []

    def in_thread() -> None:
        s = Store.open(path)
        try:
            assert s.only_connection()
            got.append(api.report_csv(s, split=True))
        except BaseException as e:  # reported below, not lost in the thread
            got.append(e)
        finally:
            s.close()

    t = threading.Thread(target=in_thread)
    t.start()
    t.join(60)
    assert got == [alone]
