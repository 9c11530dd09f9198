"""How well `tracker extract` reads news it was not written for.

Runs the extractor over every article of the development corpus
(../shared/news-dev/, each NN_name.txt beside its gold NN_name.csv), over
article 4 of the seed digest (gold: data/article4.csv), and over the
held-out articles of tests/data/news/heldout/, and prints recall and
precision per metric and in total, one table per set.

    python bench/news.py            # the tables
    python bench/news.py -v         # and every miss and extra, per article
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker import api  # noqa: E402
from tracker.scoring import Score, add, table  # noqa: E402

SHARED = ROOT.parent / "shared"
DEV = SHARED / "news-dev"
DIGEST = SHARED / "seeds" / "000_c1402d568ccea9a2.txt"
HELDOUT = ROOT / "tests" / "data" / "news" / "heldout"


def articles(folder: Path) -> list[tuple[Path, Path]]:
    """(article, gold) pairs of a folder: NAME.txt beside NAME.csv."""
    return [(t, t.with_suffix(".csv")) for t in sorted(folder.glob("*.txt"))
            if t.with_suffix(".csv").exists()]  # fmt: skip


def run(store: api.Store, path: Path, gold: Path, verbose: bool, **kw: object) -> list[Score]:
    rows = api.extract(store, str(path), **kw)  # type: ignore[arg-type]
    scores = api.evaluate(store, rows, str(gold))
    if verbose:
        total = scores[-1]
        print(f"\n{path.name}: recall {total.recall:.1%}, precision {total.precision:.1%}")
        for s in scores[:-1]:
            for m in s.missed:
                print(f"  missed {s.metric}: {m}")
            for e in s.extra:
                print(f"  extra  {s.metric}: {e}")
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list misses and extras of news-dev and article 4")
    parser.add_argument("--heldout-misses", action="store_true",
                        help="list them for the held-out articles too (look only to report)")
    args = parser.parse_args()
    store = api.open_store(":memory:")
    sets: list[tuple[str, list[Score]]] = []
    dev: list[Score] = []
    for path, gold in articles(DEV):
        dev = add(dev, run(store, path, gold, args.verbose))
    if dev:
        sets.append((f"news-dev ({len(articles(DEV))} articles, {DEV})", dev))
    if DIGEST.exists():
        a4 = run(store, DIGEST, ROOT / "data" / "article4.csv", args.verbose, article=4,
                 published="2025-07-24")  # fmt: skip
        sets.append(("article 4 of the seed digest (data/article4.csv)", a4))
    held: list[Score] = []
    for path, gold in articles(HELDOUT):
        held = add(held, run(store, path, gold, args.heldout_misses))
    if held:
        n = len(articles(HELDOUT))
        sets.append((f"held-out ({n} articles, tests/data/news/heldout)", held))
    for name, scores in sets:
        print(f"\n{name}\n{table(scores)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
