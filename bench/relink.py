"""Full re-normalisation and re-linking time on a bench corpus.

Run: ``.venv/bin/python bench/relink.py --n 100000 [--db URL] [--limit K]`` after
``bench/corpus.py``.  Step 1 recomputes every claim's ``text_key`` with the current Arabic
engine and writes the changed ones (executemany); step 2 is the project's own
``linker.relink_claims`` (what ``claims relink`` runs: Core reads, linking in ``--workers``
forked processes, executemany DELETE/INSERT of the claims whose mentions changed), once as
is (an unchanged engine writes nothing) and once with ``rewrite=True`` (every claim's
mentions deleted and inserted again, the worst case).  ``--limit`` re-links only the first K
claims and extrapolates linearly to the whole corpus and to 1M.
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

from sqlalchemy import bindparam, func, select, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from claims import create_app  # noqa: E402
from claims.db import begin_write, session_scope  # noqa: E402
from claims.models import Claim  # noqa: E402
from claims.services.linker import alias_index, relink_claims  # noqa: E402
from claims.text.linking import text_search_key  # noqa: E402

BATCH = 5000


def renormalise(session: Session, limit: int | None) -> tuple[int, int]:
    """Recompute text_key for every claim (or the first ``limit``); returns (seen, changed)."""
    seen = changed = 0
    last = 0
    while limit is None or seen < limit:
        size = BATCH if limit is None else min(BATCH, limit - seen)
        rows = session.execute(select(Claim.id, Claim.text, Claim.text_key)
                               .where(Claim.id > last).order_by(Claim.id).limit(size)).all()
        if not rows:
            break
        keys = [(cid, text_search_key(body), key) for cid, body, key in rows]
        fresh = [{"b_id": cid, "key": new} for cid, new, key in keys if new != key]
        if fresh:
            session.connection().execute(
                update(Claim.__table__).where(Claim.__table__.c.id == bindparam("b_id"))
                .values(text_key=bindparam("key")), fresh)
        seen, changed, last = seen + len(rows), changed + len(fresh), rows[-1][0]
    return seen, changed


def main(argv: Sequence[str] | None = None) -> None:
    """Measure both steps and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: instance/ SQLite)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{ROOT / 'instance' / f'bench-{args.n}.sqlite3'}"
    app = create_app({"database_url": url})
    with app.app_context(), session_scope(app) as session:
        total = session.scalar(select(func.count()).select_from(Claim)) or 0
        begin_write(session)
        began = time.perf_counter()
        seen, changed = renormalise(session, args.limit)
        session.commit()
        norm = time.perf_counter() - began
        alias_index(session)  # built once, as a running app would have it
        ids = list(session.scalars(select(Claim.id).order_by(Claim.id).limit(args.limit)))
        timings = []
        for rewrite in (False, True):
            begin_write(session)
            began = time.perf_counter()
            linked = relink_claims(session, ids, workers=args.workers, rewrite=rewrite)
            session.commit()
            timings.append(time.perf_counter() - began)
    dialect = app.extensions["claims.engine"].dialect.name
    print(f"\nre-normalise and re-link on {dialect}, {total:,} claims "
          f"({seen:,} re-normalised, {changed:,} keys changed; {linked:,} re-linked)")
    print("| step | claims | seconds | claims/s | projected for all | projected for 1M |")
    print("|---|---|---|---|---|---|")
    for step, count, seconds in (
            ("re-normalise text_key", seen, norm),
            (f"re-link, unchanged mentions ({args.workers} workers)", linked, timings[0]),
            (f"re-link, every claim rewritten ({args.workers} workers)", linked, timings[1])):
        rate = count / max(seconds, 1e-9)
        print(f"| {step} | {count:,} | {seconds:.1f} | {rate:,.0f} | "
              f"{total / rate:.0f} s | {1_000_000 / rate:.0f} s |")


if __name__ == "__main__":
    main()
