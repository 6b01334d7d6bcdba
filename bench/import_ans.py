"""Bulk import of the ANS claims corpus through the CSV import service, timed.

Usage: .venv/bin/python bench/import_ans.py [PATH] [--database-url URL]
The default database is a fresh SQLite file in a temporary folder; the default PATH is
../shared/data/ans/claim/train.csv.  Prints the row count, the time and claims per second.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "ans" / "claim" / "train.csv"


def run(path: Path, database_url: str) -> tuple[int, float]:
    """Migrate, import ``path`` in the ANS format and return (claims created, seconds)."""
    from alembic import command

    from claims import create_app
    from claims.api.commands import _Importer
    from claims.cli import alembic_config
    from claims.db import begin_write, session_scope
    from claims.services import csv_io

    command.upgrade(alembic_config(database_url), "head")  # type: ignore[arg-type]
    app = create_app({"database_url": database_url})
    with app.app_context(), session_scope(app) as session:
        started = time.perf_counter()
        parsed = csv_io.parse(path.read_bytes(), path.name, "ans")
        begin_write(session)
        csv_io.check(session, parsed)
        report = csv_io.import_parsed(session, _Importer(), parsed)  # type: ignore[arg-type]
        session.commit()
        return report.created, time.perf_counter() - started


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if not args.path.exists():
        print(f"skipped: {args.path} not found", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        created, seconds = run(args.path, url)
    print(f"imported {created} claims from {args.path.name} in {seconds:.1f} s "
          f"({created / seconds:.0f} claims/s)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
