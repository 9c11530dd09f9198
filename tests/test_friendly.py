"""A friendlier CLI (issue 13, item 6): close names for what matches nothing, help by
default, -V, shell completion."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import HEADER, tracker_exe, write

from tracker.suggest import close, did_you_mean

README = Path(__file__).parent.parent / "README.md"


def sh(*args: str, **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([tracker_exe(), *args], capture_output=True, text=True, check=False, **kw)


def test_bare_tracker_prints_help_and_exits_0(tmp_path: Path) -> None:
    r = sh(cwd=tmp_path, env={**os.environ, "XDG_DATA_HOME": str(tmp_path)})
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("Usage: tracker") and "Commands:" in r.stdout
    assert not (tmp_path / "tracker").exists()  # no database made just to print help


def test_dash_capital_v_prints_the_version() -> None:
    r = sh("-V")
    assert r.returncode == 0 and re.fullmatch(r"tracker, version \d+\.\d+\.\d+\S*\n", r.stdout)
    assert sh("--version").stdout == r.stdout


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["--supplier", "MGX"], "no supplier matches 'MGX'; did you mean MGC?"),
        (["--supplier", "Mitsubishi Gsa Chemical"],  # an alias misspelt: its supplier
         "no supplier matches 'Mitsubishi Gsa Chemical'; did you mean MGC?"),
        (["--material", "glas cloth"], "no material matches 'glas cloth'; did you mean glass cloth?"),
        (["--product", "low-dc"], "no product matches 'low-dc'; did you mean Low-Dk or Low CTE?"),
        (["--metric", "leadtime"],
         "no metric matches 'leadtime'; did you mean lead_time or lead_time_change?"),
        (["--supplier", "Zeta"], "no supplier matches 'Zeta'; known: AGY, Asahi Kasei, China "
         "Jushi, Fastprint, MGC, Nittobo, Resonac, Shennan Circuits, Sinoma, Sumitomo"),
        (["--supplier", "MGC", "--metric", "price"],
         "no series has all of --supplier 'MGC' --metric 'price'"),
    ],
)  # fmt: skip
def test_a_filter_that_matches_nothing_says_so(run, args: list[str], note: str) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    for command in (["list"], ["report"], ["export"], ["verify"]):
        r = run(*command, *args)
        assert r.exit_code == 0, r.output
        assert r.stderr == f"note: {note}\n", command
    assert run("report", "--supplier", "MGC").stderr == ""  # a match: nothing said


def test_chart_says_so_too(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("chart", "--supplier", "Resonak", "--out-dir", str(tmp_path / "c"))
    assert "note: no supplier matches 'Resonak'; did you mean Resonac?" in r.stderr


def test_a_unit_typo_gets_a_suggestion(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run("add", "--date", "2025", "--material", "x", "--metric", "lead_time", "--value", "4",
            "--unit", "weks")  # fmt: skip
    assert r.exit_code == 1
    assert r.stderr == ("add: --unit: unknown unit 'weks'; did you mean weeks? "
                        "(see `tracker units` for the known units)\n")  # fmt: skip
    bad = write(tmp_path / "u.csv", HEADER + "2025,,glass cloth,7628,price,4,CNZ/m,,,,\n"
                                             "2025,,glass cloth,7628,price,4,CNY/mm,,,,\n")  # fmt: skip
    r = run("import", str(bad))
    assert r.exit_code == 1
    assert f"{bad}:2: unit: unknown unit 'CNZ/m'; did you mean CNY/m?" in r.stderr
    assert f"{bad}:3: unit: unknown unit 'CNY/mm'; did you mean CNY/m?" in r.stderr


def test_close_names() -> None:
    assert close("mgx", ["MGC", "AGY", "Resonac"]) == ["MGC"]
    assert close("nothing like it", ["MGC"]) == []
    assert did_you_mean(["a", "b", "c"]) == "; did you mean a, b or c?"
    assert did_you_mean([" padded"]) == "; did you mean ' padded'?"


def test_readme_shows_shell_completion_and_it_works(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_TRACKER_COMPLETE={shell}_source tracker" in text
    r = sh(env={**os.environ, "_TRACKER_COMPLETE": "bash_source"})
    assert r.returncode == 0 and "complete -o nosort -F _tracker_completion tracker" in r.stdout
    r = sh(env={**os.environ, "_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker rep",
                "COMP_CWORD": "1"})  # fmt: skip
    assert r.stdout.split() == ["plain,report"]


@pytest.mark.parametrize(
    "args",
    [
        ["add", "--date", "2025-01-01", "--material", "m", "--metric", "price", "--value", "1",
         "--unit", "CNY/t", "--quote", b"q\x9b2J"],
        ["add", "--date", "2025-01-01", "--material", "m", "--metric", "price", "--value", "1",
         "--unit", "CNY/t", "--note", b"caf\xe9"],
        ["list", "--supplier", b"M\x9bGC"],
        ["report", "--material", b"caf\xe9"],
    ],
)  # fmt: skip
def test_text_options_that_are_not_utf8_get_a_message_not_a_traceback(
    tmp_path: Path, args: list[str | bytes]
) -> None:
    """A byte that is not UTF-8 in an option (a latin-1 terminal, a script's $'\\xe9')
    reaches Python as a lone surrogate; SQLite cannot store it, so it is refused at the
    door with the option and the byte named, exit 1, and the database left as it was."""
    db = tmp_path / "t.db"
    r = subprocess.run([tracker_exe(), "--db", str(db), *args], capture_output=True, check=False)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 1, err
    assert "Traceback" not in err
    assert "is not UTF-8" in err and "byte 0x" in err
    assert len(err.strip().splitlines()) == 1
    if db.exists():
        assert subprocess.run([tracker_exe(), "--db", str(db), "list", "--format", "csv"],
                              capture_output=True, text=True, check=True).stdout.count("\n") == 1  # fmt: skip
