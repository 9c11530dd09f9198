"""The CLI per CONTRACT: database selection, add, list, seed, units, help, the installed script."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import dump, tracker_exe

from tracker.cli import cli

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True


def test_every_command_has_help() -> None:
    runner = CliRunner()
    assert cli.help
    for name, cmd in cli.commands.items():
        assert cmd.help, f"{name} has no help"
        r = runner.invoke(cli, [name, "--help"])
        assert r.exit_code == 0 and "Usage: " in r.output
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name != "help":
                assert p.help or isinstance(p.type, click.Choice), f"{name} {p.opts} has no help"


def test_every_command_is_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"tracker {name}" in readme, f"README does not mention `tracker {name}`"


def test_contract_commands_exist() -> None:
    assert {"import", "add", "list", "report", "chart", "export", "seed", "units"} <= set(cli.commands)


def test_add_and_duplicate(run) -> None:  # type: ignore[no-untyped-def]
    args = ["add", "--date", "2025-07-24", "--supplier", "三菱瓦斯化学", "--material", "BT resin",
            "--product", "NSA", "--metric", "lead_time", "--value", "4-6", "--unit", "周"]  # fmt: skip
    r = run(*args)
    assert (r.exit_code, r.output) == (0, "added observation 1\n")
    r = run(*args)
    assert (r.exit_code, r.output) == (0, "already there: observation 1\n")
    listing = run("list", "--supplier", "Mitsubishi Gas Chemical").output
    assert "MGC" in listing and "4-6" in listing and "(1 observation)" in listing


def test_add_bad_value_exits_1_and_writes_nothing(run, db: Path) -> None:  # type: ignore[no-untyped-def]
    run("add", "--date", "2025", "--material", "x", "--metric", "price", "--value", "1", "--unit", "CNY/t")
    before = dump(db)
    r = run("add", "--date", "2025-02-30", "--material", "x", "--metric", "price",
            "--value", "20-16", "--unit", "CNY/t")  # fmt: skip
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "add: --date: '2025-02-30' is not a real date",
        "add: --value: '20-16' has low > high",
    ]
    assert dump(db) == before


def test_list_filters(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    out = run("list", "--metric", "lead_time", "--format", "csv").output.splitlines()
    assert len(out) == 1 + 6
    out = run("list", "--material", "GLASS CLOTH", "--metric", "price", "--since", "2025-07",
              "--format", "json").output  # fmt: skip
    import json

    rows = json.loads(out)
    assert sorted(r["product"] for r in rows) == ["1037", "7628", "Low-Dk"]
    assert run("list", "--until", "2024").output.count("china_market_share") == 1
    r = run("list", "--since", "2025-13")
    assert r.exit_code == 2 and "is not a real month" in r.output


def test_seed_twice_adds_nothing(run) -> None:  # type: ignore[no-untyped-def]
    assert run("seed").output == "37 added, 0 already there\n"
    assert run("seed").output == "0 added, 37 already there\n"


def test_units_lists_table() -> None:
    r = CliRunner().invoke(cli, ["units"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split() == ["unit", "dimension", "canonical", "factor", "also", "written"]
    assert any(line.startswith("days ") and "1/7" in line for line in lines)


def test_default_db_is_created_and_seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    r = CliRunner().invoke(cli, ["list", "--metric", "price"])
    assert r.exit_code == 0
    assert "320000-350000" in r.output
    assert (tmp_path / "xdg" / "tracker" / "tracker.db").exists()


def test_tracker_db_env_is_not_seeded(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKER_DB": str(tmp_path / "env.db")}
    r = subprocess.run([tracker_exe(), "list"], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert "(0 observations)" in r.stdout
    assert (tmp_path / "env.db").exists()


def test_installed_script_round_trip(tmp_path: Path) -> None:
    """The real console script: seed, export, import into an empty db, export again."""
    exe = tracker_exe()
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")

    def sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], capture_output=True, text=True, check=False)

    assert sh("--db", a, "seed").stdout == "37 added, 0 already there\n"
    exported = tmp_path / "x.csv"
    assert sh("--db", a, "export", "--out", str(exported)).returncode == 0
    assert sh("--db", b, "import", str(exported)).stdout == "37 added, 0 already there\n"
    assert sh("--db", b, "import", str(exported)).stdout == "0 added, 37 already there\n"
    assert sh("--db", b, "export").stdout == exported.read_text(encoding="utf-8")


def test_not_a_tracker_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    r = CliRunner().invoke(cli, ["--db", str(junk), "list"])
    assert r.exit_code == 1
    assert "not a tracker database" in r.stderr


def test_readme_shows_the_real_report_and_verify_output(run) -> None:  # type: ignore[no-untyped-def]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    run("seed")
    assert run("report").output.rstrip("\n") in readme
    assert run("verify").output.rstrip("\n") in readme
