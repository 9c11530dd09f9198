"""The shipped article dataset (data/article4.csv), found in a checkout or a wheel."""

from __future__ import annotations

from pathlib import Path

from tracker.csvfile import open_source
from tracker.errors import TrackerError, ValidationError
from tracker.importer import parse_sources
from tracker.model import Observation
from tracker.suppliers import alias_map

ARTICLE_FILE = "article4.csv"


def article_path() -> Path:
    """The dataset file: inside the installed package, else the repo's data/ folder."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / ARTICLE_FILE, here.parent / "data" / ARTICLE_FILE):
        if candidate.is_file():
            return candidate
    raise TrackerError(f"the shipped dataset {ARTICLE_FILE} is missing from this installation")


def article_observations(aliases: dict[str, str] | None = None) -> list[Observation]:
    """Every observation of the shipped dataset; a broken dataset is a bug, so it raises."""
    src, problem = open_source(str(article_path()))
    if problem is not None:
        raise ValidationError([problem])
    assert src is not None
    problems: list = []
    obs = list(parse_sources([src], aliases or alias_map(), problems))
    if problems:
        raise ValidationError(problems)
    return obs
