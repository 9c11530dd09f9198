"""ruff and mypy over the package, so a lint error fails CI like a test does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "args",
    [
        ["ruff", "check", "tracker", "tests"],
        ["ruff", "format", "--check", "tracker"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(args: list[str]) -> None:
    exe = BIN / args[0]
    if not exe.exists():
        pytest.skip(f"{args[0]} is not installed (pip install -e '.[test]')")
    r = subprocess.run([str(exe), *args[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
