"""Synthetic Arabic claim corpus: N claims with realistic length, entities, statuses, clitics.

Run: ``.venv/bin/python bench/corpus.py --n 100000 [--db URL]`` from the repository root.
Small N (``--path service``, the default up to 2,000) goes through the project's own
``create_claim`` service; larger N uses a bulk path (executemany on SQLite, COPY on
PostgreSQL) that fills the same derived rows (text_key, mentions, quantities, claim_bands)
with the same functions, in worker processes; the workers build every table's rows and the
main process only inserts them.  On SQLite the band keys are staged as one row per claim and
claim_bands is built from them in one sorted INSERT … SELECT after the load (reported in
"index build", with the full-text index).  Fixed seed; every claim has an ``import_key``, so
an interrupted load re-runs to completion without duplicates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import itertools
import multiprocessing as mp
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, bindparam, func, insert, inspect, select, text  # noqa: E402

from bench.corpus_gen import OUTLETS, TAGS, created_at, entity_specs, make_claim  # noqa: E402
from claims.db import PG_TEXT_COLUMN, PG_TEXT_INDEX, make_engine, utcnow  # noqa: E402
from claims.models import Alias, Claim, Entity, Tag, User  # noqa: E402
from claims.text.arabic import normalize  # noqa: E402
from claims.text.linking import (  # noqa: E402
    AliasEntry,
    AliasIndex,
    alias_key,
    tokens,
    tokens_search_key,
)
from claims.text.matching import claim_signature, lsh_band_keys  # noqa: E402
from claims.text.quantities import extract_quantities  # noqa: E402

BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-123"


def ensure_reference(engine: Engine) -> tuple[int, list[AliasEntry], list[int], dict[str, int]]:
    """Entities, aliases, tags and the bench user (idempotent); returns what claims need."""
    from sqlalchemy.orm import Session

    from claims.security import hash_password
    from claims.services.linker import aliases_changed

    with Session(engine) as session:
        existing = set(session.scalars(select(Entity.key).where(Entity.key.like("bench:%"))))
        for key, kind, ar, en, aliases in entity_specs():
            if key in existing:
                continue
            entity = Entity(key=key, kind=kind, name_ar=ar, name_en=en)
            names = [(ar, "name", "ar"), *([(en, "name", "en")] if en else []), *aliases]
            for alias_text, alias_kind, lang in names:
                entity.aliases.append(Alias(text=alias_text, key=alias_key(alias_text),
                                            kind=alias_kind, lang=lang))
            session.add(entity)
        for name in TAGS:
            if session.scalar(select(Tag.id).where(Tag.key == normalize(name))) is None:
                session.add(Tag(name=name, key=normalize(name)))
        user_id = session.scalar(select(User.id).where(User.username == BENCH_USER))
        if user_id is None:
            # Core, with the columns of the revision at hand: migration tests load corpora
            # into databases below head, whose users table lacks later columns.
            columns = {c["name"] for c in inspect(session.connection()).get_columns("users")}
            values = {"username": BENCH_USER, "password_hash": hash_password(BENCH_PASSWORD),
                      "role": "editor", "is_active": True, "created_at": utcnow(),
                      "username_key": BENCH_USER.lower()}
            session.execute(insert(User).values(
                {k: v for k, v in values.items() if k in columns}))
            user_id = session.scalar(select(User.id).where(User.username == BENCH_USER))
        session.flush()
        aliases_changed(session)
        session.commit()
        rows = session.execute(
            select(Alias.id, Alias.entity_id, Alias.text, Alias.kind, Alias.lang, Entity.kind,
                   Entity.key).join(Entity, Entity.id == Alias.entity_id)
            .where(Entity.key.like("bench:%")).order_by(Entity.id, Alias.id)).all()
        entries = [AliasEntry(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
        people = list(dict.fromkeys(r[1] for r in rows if r[5] == "person"))
        tags = {name: session.scalar(select(Tag.id).where(Tag.key == normalize(name))) or 0
                for name in TAGS}
        return int(user_id or 0), entries, people, tags


_WORKER: dict[str, Any] = {}


def _init_worker(entries: list[AliasEntry], names: list[tuple[int, str]], people: list[int]
                 ) -> None:
    _WORKER.update(index=AliasIndex(entries), names=names, people=people)


def derive(i: int, light: bool = False) -> tuple[int, dict[str, Any]]:
    """Claim i with its derived rows: text_key, mentions, quantities, band keys (unless
    ``light``, for tests that need many claims fast and no near-duplicate data)."""
    claim = make_claim(i, _WORKER["names"], _WORKER["people"])
    body = claim["text"]
    toks = tokens(body)  # once, for both the key and the links (as `claims relink` does)
    claim["text_key"] = tokens_search_key(toks)
    claim["mentions"] = mention_rows(body, toks, _WORKER["index"].find_rows)
    claim["quantities"] = [] if light else quantity_rows(body)
    claim["bands"] = [] if light else sorted(set(lsh_band_keys(claim_signature(body))))
    return i, claim


def mention_rows(body: str, toks: Any, find_rows: Any) -> list[tuple[Any, ...]]:
    """The mentions table's columns after claim_id, the surface cut to its column's 256."""
    return [m if len(m[4]) <= 256 else (*m[:4], m[4][:256], *m[5:]) for m in find_rows(body, toks)]


def quantity_rows(body: str) -> list[tuple[Any, ...]]:
    """The quantities table's columns after claim_id, the surface cut to its column's 200."""
    return [(q.start, q.end, q.surface[:200], q.value, q.upper, q.total, q.unit, q.approx,
             q.bound, q.kind) for q in extract_quantities(body)]


def light_load(engine: Engine, n: int, start: int = 0) -> None:
    """Claims start..n-1 in-process without quantities or bands (tests: 10,000 in seconds)."""
    user_id, entries, people, tag_ids = ensure_reference(engine)
    _init_worker(entries, _names(entries), people)
    ids = next_ids(engine)
    for part in chunks(start, n, 5000):
        write_chunk(engine, [derive(i, light=True) for i in part], n, user_id, tag_ids, ids)


def _names(entries: list[AliasEntry]) -> list[tuple[int, str]]:
    return [(e.entity_id, e.text) for e in entries if e.lang == "ar"]


def _load_migration() -> Any:
    path = ROOT / "migrations" / "versions" / "0007_newest_first_full_text.py"
    spec = importlib.util.spec_from_file_location("claims_migration_0007", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def loaded(engine: Engine) -> int:
    """How many bench claims are already in the database (a prefix of 0..N-1)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Claim)
                               .where(Claim.import_key.like("bench:%"))) or 0)


def load_service(url: str, n: int) -> dict[str, float]:
    """Small N: every claim through create_claim, one transaction each (the web's path)."""
    from claims import create_app
    from claims.db import begin_write, session_scope
    from claims.services.claims import create_claim

    app = create_app({"database_url": url})
    engine = make_engine(url)
    user_id, entries, people, _ = ensure_reference(engine)
    names = _names(entries)
    start, began = loaded(engine), time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        user = session.get(User, user_id)
        for i in range(start, n):
            claim = make_claim(i, names, people)
            begin_write(session)
            created = create_claim(session, user, {  # type: ignore[arg-type]
                "text": claim["text"], "source_url": f"https://news.example/{i // 8}",
                "source_title": f"تقرير {i // 8}", "status": claim["status"],
                "claim_type": claim["claim_type"], "tags": ",".join(claim["tags"]),
                "speaker": f"#{claim['speaker_id']}" if claim["speaker_id"] else ""})
            created.import_key = f"bench:{i}"
            created.created_at = created.updated_at = created_at(i, n)
            session.commit()
    elapsed = time.perf_counter() - began
    return {"claims": n - start, "seconds": elapsed, "rate": (n - start) / max(elapsed, 1e-9),
            "index_seconds": 0.0}


CLAIM_COLS = ("id", "text", "text_key", "source_id", "speaker_id", "claim_date", "claim_type",
              "status", "created_by_id", "created_at", "updated_at", "version", "import_key")
TABLES = {
    "source_documents": ("id", "title", "outlet", "url", "language", "text", "created_at"),
    "claims": CLAIM_COLS,
    "claim_tags": ("claim_id", "tag_id"),
    "status_changes": ("claim_id", "from_status", "to_status", "user_id", "created_at", "note"),
    "mentions": ("claim_id", "entity_id", "alias_id", "start", "end", "surface", "method",
                 "confidence", "is_demonym", "review"),
    "quantities": ("claim_id", "start", "end", "surface", "value", "upper", "total", "unit",
                   "approx", "bound", "kind"),
    "claim_bands": ("band_key", "claim_id"),
}


def _write(conn: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows fast: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in TABLES[table])
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cur, \
                cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in TABLES[table])
    conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _search_index(conn: Any, create: bool, fill: bool = False) -> bool:
    """Drop (create=False) or build the full-text index, filling it from every claim row if
    ``fill``; returns whether it existed."""
    if conn.dialect.name == "sqlite":
        exists = bool(conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'claims_fts_ai'").first())
        if create:
            # The sync triggers, then (if asked) the migration's own fill of the emptied index.
            for statement in _load_migration().SQLITE_FTS:
                if statement.startswith("CREATE TRIGGER"):
                    conn.exec_driver_sql(statement.replace("CREATE TRIGGER",
                                                           "CREATE TRIGGER IF NOT EXISTS"))
                elif statement.startswith("INSERT") and fill:
                    conn.exec_driver_sql("INSERT INTO claims_fts(claims_fts) "
                                         "VALUES ('delete-all')")
                    conn.exec_driver_sql(statement)
        else:
            for trigger in _load_migration().TRIGGERS:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        return exists
    # The GIN index over the stored column of migration 0005 (the corpus is migrated to head).
    exists = bool(conn.exec_driver_sql(
        f"SELECT 1 FROM pg_indexes WHERE indexname = '{PG_TEXT_INDEX}'").first())
    if create:
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {PG_TEXT_INDEX} ON claims "
                             f"USING gin ({PG_TEXT_COLUMN})")
    else:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_TEXT_INDEX}")
    return exists


def _stamp(value: dt.datetime | dt.date, sqlite: bool) -> Any:
    if not sqlite:
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def _rows(i: int, n: int, claim_id: int, source_id: int, user_id: int, claim: dict[str, Any],
          tag_ids: dict[str, int], out: dict[str, list[tuple[Any, ...]]], sqlite: bool) -> None:
    when = created_at(i, n)
    created = _stamp(when, sqlite)
    out["claims"].append((claim_id, claim["text"], claim["text_key"], source_id,
                          claim["speaker_id"], _stamp(when.date(), sqlite), claim["claim_type"],
                          claim["status"], user_id, created, created, 1, f"bench:{i}"))
    out["claim_tags"] += [(claim_id, tag_ids[t]) for t in claim["tags"]]
    path = [None, "unstarted"]
    if claim["status"] != "unstarted":
        path += ([] if claim["status"] == "in_progress" else ["in_progress"]) + [claim["status"]]
    for step, (before, after) in enumerate(itertools.pairwise(path)):
        stamp = _stamp(when + dt.timedelta(hours=step * 5), sqlite) if step else created
        out["status_changes"].append((claim_id, before, after, user_id, stamp, ""))
    out["mentions"] += [(claim_id, *m, "auto") for m in claim["mentions"]]
    out["quantities"] += [(claim_id, *q) for q in claim["quantities"]]
    out["claim_bands"] += [(key, claim_id) for key in claim["bands"]]


def next_ids(engine: Engine) -> dict[str, int]:
    """The next free claim and source ids (the bulk path assigns ids itself)."""
    with engine.connect() as conn:
        return {"claim": int(conn.scalar(select(func.max(Claim.id))) or 0) + 1,
                "source": int(conn.exec_driver_sql(
                    "SELECT coalesce(max(id), 0) FROM source_documents").scalar() or 0) + 1}


def write_chunk(engine: Engine, derived: Sequence[tuple[int, dict[str, Any]]], n: int,
                user_id: int, tag_ids: dict[str, int], ids: dict[str, int]) -> None:
    """Insert derived claims, their sources and derived rows in one transaction."""
    sqlite = engine.dialect.name == "sqlite"
    out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
    urls = {f"https://news.example/{i // 8}" for i, _ in derived}
    with engine.connect() as conn:
        found = conn.execute(text("SELECT url, id FROM source_documents WHERE url IN :urls")
                             .bindparams(bindparam("urls", expanding=True)),
                             {"urls": sorted(urls)})
        sources: dict[str, int] = {row[0]: row[1] for row in found}
    for i, claim in derived:
        source_url = f"https://news.example/{i // 8}"
        if source_url not in sources:
            sources[source_url] = ids["source"]
            out["source_documents"].append(
                (ids["source"], f"تقرير {i // 8} عن {claim['text'][:60]}",
                 OUTLETS[i % len(OUTLETS)], source_url, "ar", "",
                 _stamp(created_at(i, n), sqlite)))
            ids["source"] += 1
        _rows(i, n, ids["claim"], sources[source_url], user_id, claim, tag_ids, out, sqlite)
        ids["claim"] += 1
    with engine.begin() as conn:
        for table in TABLES:
            _write(conn, table, out[table])
        if not sqlite:
            for table in ("claims", "source_documents"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT coalesce(max(id), 1) FROM {table}))")


def main(argv: Sequence[str] | None = None) -> None:
    """Create (or complete) a corpus and print a table of what it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: instance/ SQLite)")
    parser.add_argument("--path", choices=("auto", "service", "bulk"), default="auto")
    parser.add_argument("--workers", type=int, default=max(1, (mp.cpu_count() or 2)))
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{ROOT / 'instance' / f'bench-{args.n}.sqlite3'}"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    from bench.bulk_load import bulk_load  # lazily: bulk_load imports this module
    from claims.cli import alembic_config

    command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
    path = args.path if args.path != "auto" else ("service" if args.n <= 2000 else "bulk")
    stats = load_service(url, args.n) if path == "service" else \
        bulk_load(url, args.n, args.workers)
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("claims", "mentions", "quantities", "claim_bands", "status_changes",
                            "claim_tags", "source_documents", "entities", "aliases")}
    print(f"\ncorpus at {engine.url.render_as_string(hide_password=True)} ({path} path)")
    # "writing s": wall time of the main process inserting rows (the workers derive meanwhile);
    # "CPU s": user + system seconds of the load phase in the main process (writing, unpickling)
    # and in the workers (deriving) — the figures to trust on a shared host.
    print("| claims loaded | seconds | claims/s | index build s | writing s | CPU s main | "
          "CPU s workers | " + " | ".join(counts) + " |")
    print("|---|---|---|---|---|---|---|" + "---|" * len(counts))
    print(f"| {stats['claims']:,} | {stats['seconds']:.1f} | {stats['rate']:,.0f} | "
          f"{stats['index_seconds']:.1f} | {stats.get('write_seconds', 0.0):.1f} | "
          f"{stats.get('main_cpu', 0.0):.1f} | {stats.get('workers_cpu', 0.0):.1f} | "
          + " | ".join(f"{v:,}" for v in counts.values()) + " |")


def chunks(start: int, stop: int, size: int) -> Iterator[range]:
    """Consecutive ranges covering start..stop."""
    for first in range(start, stop, size):
        yield range(first, min(first + size, stop))


if __name__ == "__main__":
    main()
