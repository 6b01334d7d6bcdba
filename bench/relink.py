"""Full re-normalisation and re-linking time on a bench corpus.

Run: ``.venv/bin/python bench/relink.py --n 100000 [--db URL] [--limit K] [--workers 1,2]``
after ``bench/corpus.py``.  Each pass is the project's own ``linker.relink_claims`` with
``keys=True`` (what ``claims relink`` runs: Core reads and executemany UPDATE / DELETE /
INSERT of what changed in this process; each text tokenised once for its ``text_key`` and its
mentions by ``--workers`` processes counting this one, which links whenever its spawned
helpers are busy): once as is (an unchanged engine writes nothing),
and once with ``rewrite=True`` (every claim's mentions deleted and inserted again, the worst
case; keys are written when they changed).  ``--stale F`` first blanks the key and deletes
the mentions of a share F of the claims, so the first pass also writes (as after an engine
change).  ``--limit`` re-links only the first K claims and extrapolates linearly to the
whole corpus and to 1M.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from claims import create_app  # noqa: E402
from claims.db import begin_write, session_scope  # noqa: E402
from claims.models import Claim  # noqa: E402
from claims.services.linker import alias_index, relink_claims  # noqa: E402


def make_stale(session: Session, ids: list[int], share: float) -> int:
    """Blank the key and drop the mentions of every (1/share)-th claim; returns how many."""
    if share <= 0:
        return 0
    every = max(1, round(1 / share))
    picked = ids[::every]
    for at in range(0, len(picked), 5000):
        part = ",".join(map(str, picked[at:at + 5000]))
        session.execute(text(f"UPDATE claims SET text_key = '' WHERE id IN ({part})"))
        session.execute(text(f"DELETE FROM mentions WHERE claim_id IN ({part})"))
    return len(picked)


def main(argv: Sequence[str] | None = None) -> None:
    """Measure each pass and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: instance/ SQLite)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", default=str(min(2, os.cpu_count() or 1)),
                        help="comma-separated worker counts to measure, e.g. 1,2")
    parser.add_argument("--stale", type=float, default=0.0)
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{ROOT / 'instance' / f'bench-{args.n}.sqlite3'}"
    app = create_app({"database_url": url})
    rows: list[tuple[str, int, float]] = []
    with app.app_context(), session_scope(app) as session:
        total = session.scalar(select(func.count()).select_from(Claim)) or 0
        alias_index(session)  # built once, as a running app would have it
        ids = list(session.scalars(select(Claim.id).order_by(Claim.id).limit(args.limit)))
        for workers in (int(w) for w in args.workers.split(",")):
            for rewrite in (False, True):
                begin_write(session)
                stale = make_stale(session, ids, args.stale) if not rewrite else 0
                session.commit()
                begin_write(session)
                began = time.perf_counter()
                linked = relink_claims(session, ids, workers=workers, rewrite=rewrite,
                                       keys=True)
                session.commit()
                label = ("every claim's mentions rewritten" if rewrite else
                         f"{stale:,} stale, rest unchanged" if stale else "unchanged")
                rows.append((f"keys + mentions, {label} ({workers} workers)", linked,
                             time.perf_counter() - began))
    dialect = app.extensions["claims.engine"].dialect.name
    print(f"\nre-normalise and re-link on {dialect}, {total:,} claims")
    print("| pass | claims | seconds | claims/s | projected for all | projected for 1M |")
    print("|---|---|---|---|---|---|")
    for step, count, seconds in rows:
        rate = count / max(seconds, 1e-9)
        print(f"| {step} | {count:,} | {seconds:.1f} | {rate:,.0f} | "
              f"{total / rate:.0f} s | {1_000_000 / rate:.0f} s |")


if __name__ == "__main__":
    main()
