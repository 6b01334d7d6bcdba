"""The fast bulk path of bench/corpus.py: worker processes build every table's rows."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import resource
import sys
import time
from typing import Any

from sqlalchemy import Engine, event, func, inspect, select, text

from bench import corpus
from bench.corpus import (
    TABLES,
    _names,
    _search_index,
    _write,
    chunks,
    ensure_reference,
    loaded,
    mention_rows,
    next_ids,
    quantity_rows,
)
from bench.corpus_gen import OUTLETS, created_at, make_claim
from claims.db import make_engine
from claims.models import Claim
from claims.text.linking import tokens, tokens_search_key
from claims.text.matching import claim_signature, lsh_band_keys


def _fast_bulk_pragmas(engine: Engine) -> None:
    """Connection pragmas for loading a fresh bench SQLite file (never the app's own)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL with synchronous=OFF survives a killed process (only an OS crash can lose the
        # tail), and an interrupted load re-runs from its last committed claim anyway.
        cursor.execute("PRAGMA synchronous = OFF")
        # Deferred indexes are built at the end from sorted runs: keep their pages cached.
        cursor.execute("PRAGMA cache_size = -262144")
        cursor.close()

    engine.dispose()  # pooled connections were opened before the listener existed


# The bulk path on SQLite stages each claim's band keys as one row (claim id, the 16-hex-digit
# keys concatenated) instead of 32 random-key primary-key inserts, and builds claim_bands from
# it in one sorted INSERT … SELECT at the end ("index build"), then drops the staging table.
# It is an ordinary table written in each chunk's transaction, so an interrupted load resumes.
BANDS_STAGING = "bench_bulk_bands"
# Keys dropped for a first load (built once at the end, from sorted data) are remembered
# here until they exist again, so an interrupted load still ends with all of them.  On
# PostgreSQL claim_bands' primary and foreign keys too (see _deferrable).  On SQLite
# only claim_bands' claim_id index: its rows arrive sorted by band key, so keeping it means
# 640,000 random inserts per 20,000 claims (1.36 → 1.15 CPU s for the build).  Deferring the
# indexes of the other tables too saved ≈ 9 µs of writing per claim and cost as much at the
# end (no difference in total CPU over four runs), so they stay.
INDEX_STATE = "bench_bulk_indexes"
DEFERRED_INDEX_TABLES = ("claim_bands",)
_BAND_WIDTH = 16  # band_key: 16 hex digits


_EPOCH = dt.datetime(2021, 1, 1)  # created_at's start as naive UTC


def _task_rows(part: range) -> tuple[int, dict[str, list[tuple[Any, ...]]]]:
    """Worker: claims of ``part`` as rows of every table, ready for executemany or COPY.

    The rows are those ``write_chunk`` makes from ``derive`` (same ids: claims get
    consecutive ids from the first free one, sources in order of their first claim), built
    here so the writing process only inserts them; band keys come as one staging row.
    ``derive`` is inlined (no dict or lists per claim in between)."""
    w = corpus._WORKER  # filled by corpus._init_worker (the one copy of the state)
    n, start, claim_base, user_id = w["n"], w["start"], w["claim_base"], w["user_id"]
    sources, new_sources, tag_ids, sqlite = w["sources"], w["new_sources"], w["tag_ids"], \
        w["sqlite"]
    names, people, find_rows = w["names"], w["people"], w["index"].find_rows
    out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
    claims, claim_tags, status = out["claims"], out["claim_tags"], out["status_changes"]
    mentions, quantities, bands = out["mentions"], out["quantities"], out["claim_bands"]
    for i in part:
        claim = make_claim(i, names, people)
        body = claim["text"]
        toks = tokens(body)
        claim_id = claim_base + i - start
        mentions += [(claim_id, *m, "auto") for m in mention_rows(body, toks, find_rows)]
        quantities += [(claim_id, *q) for q in quantity_rows(body)]
        band_list = sorted(set(lsh_band_keys(claim_signature(body))))
        if band_list:
            keys = "".join(band_list)
            if len(keys) != _BAND_WIDTH * len(band_list):
                raise ValueError(f"band keys of claim {i} are not {_BAND_WIDTH} characters")
            bands.append((claim_id, keys))
        group = i // 8
        source_id = sources[group]
        if sqlite:  # _stamp's text without its conversions: naive UTC, whole seconds
            when = _EPOCH + dt.timedelta(seconds=int(i * (5 * 365 * 86400) / max(n, 1)))
            created: Any = f"{when}.000000"
            day: Any = created[:10]
        else:
            when = created_at(i, n)
            created, day = when, when.date()
        if group in new_sources and (i % 8 == 0 or i == start):
            out["source_documents"].append(
                (source_id, f"تقرير {group} عن {body[:60]}", OUTLETS[i % len(OUTLETS)],
                 f"https://news.example/{group}", "ar", "", created))
        claim_status = claim["status"]
        claims.append((claim_id, body, tokens_search_key(toks), source_id,
                       claim["speaker_id"], day, claim["claim_type"],
                       claim_status, user_id, created, created, 1, f"bench:{i}"))
        claim_tags += [(claim_id, tag_ids[t]) for t in claim["tags"]]
        status.append((claim_id, None, "unstarted", user_id, created, ""))
        if claim_status != "unstarted":
            path = ("unstarted", claim_status) if claim_status == "in_progress" else \
                ("unstarted", "in_progress", claim_status)
            for step in range(1, len(path)):
                later = when + dt.timedelta(hours=step * 5)
                status.append((claim_id, path[step - 1], path[step], user_id,
                               f"{later}.000000" if sqlite else later, ""))
    return len(part), out


def _source_plan(engine: Engine, start: int, n: int, next_source: int) -> tuple[
        dict[int, int], set[int]]:
    """Source id of every claim group (i // 8) of start..n-1: existing rows keep theirs, new
    ones are numbered from ``next_source`` in order of their first claim (as write_chunk)."""
    prefix = "https://news.example/"
    with engine.connect() as conn:
        found = {url: sid for url, sid in conn.execute(
            text("SELECT url, id FROM source_documents WHERE url LIKE :p"), {"p": prefix + "%"})}
    sources: dict[int, int] = {}
    new: set[int] = set()
    for group in range(start // 8, (n - 1) // 8 + 1 if n > start else start // 8):
        sid = found.get(f"{prefix}{group}")
        if sid is None:
            sid, next_source = next_source, next_source + 1
            new.add(group)
        sources[group] = sid
    return sources, new


def _deferrable(conn: Any) -> list[tuple[str, str, str]]:
    """(name, SQL that makes it, SQL that drops it) of each key deferred for a first load.

    SQLite: the secondary indexes of DEFERRED_INDEX_TABLES.  PostgreSQL: their primary keys
    and foreign keys as well (COPY pays a random B-tree insert and a parent lookup for each
    of claim_bands' 32 rows per claim; ADD CONSTRAINT sorts once and validates in one join).
    """
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in DEFERRED_INDEX_TABLES)
        rows = conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY rowid", DEFERRED_INDEX_TABLES).all()
        return [(name, sql, f'DROP INDEX "{name}"') for name, sql in rows]
    out = []
    for table in DEFERRED_INDEX_TABLES:
        # primary key first (its index goes with it), then foreign keys, then plain indexes
        for name, definition in conn.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'f') "
                "ORDER BY contype DESC, conname", (table,)).all():
            out.append((name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
                        f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        keys = {name for name, _make, _drop in out}
        for name, definition in conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "ORDER BY indexname", (table,)).all():
            if name not in keys:
                out.append((name, definition, f'DROP INDEX "{name}"'))
    return out


def _defer_indexes(conn: Any) -> None:
    """Drop the deferred keys of the bulk tables (their SQL kept in INDEX_STATE)."""
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {INDEX_STATE} "
                         "(name TEXT PRIMARY KEY, sql TEXT NOT NULL, seq INTEGER NOT NULL)")
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    for seq, (name, make, drop) in enumerate(_deferrable(conn)):
        conn.exec_driver_sql(f"INSERT INTO {INDEX_STATE} VALUES ({mark}, {mark}, {mark}) "
                             "ON CONFLICT (name) DO NOTHING", (name, make, seq))
        conn.exec_driver_sql(drop)


def _restore_indexes(conn: Any) -> None:
    """Make again every key INDEX_STATE holds that does not exist yet, then forget them."""
    if not inspect(conn).has_table(INDEX_STATE):
        return
    if conn.dialect.name == "sqlite":
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :n"
    else:
        exists = ("SELECT 1 FROM pg_constraint WHERE conname = %(n)s "
                  "UNION ALL SELECT 1 FROM pg_indexes WHERE indexname = %(n)s")
    began = time.perf_counter()
    for name, sql in conn.exec_driver_sql(
            f"SELECT name, sql FROM {INDEX_STATE} ORDER BY seq").all():
        if not conn.exec_driver_sql(exists, {"n": name}).first():
            conn.exec_driver_sql(sql)
    conn.exec_driver_sql(f"DROP TABLE {INDEX_STATE}")
    _took("deferred indexes", began)


BAND_SLOTS = "bench_band_slots"
BANDS_BATCH = 50_000  # claims per sorted INSERT … SELECT (bounds the sort and the WAL)


def _finish_sqlite(conn: Any) -> None:
    """Build claim_bands from the staging rows (sorted), then every deferred index."""
    tables = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    began = time.perf_counter()
    if BANDS_STAGING in tables:
        # One row per (claim, band): substr of the concatenated keys, inserted in key order
        # so the primary-key B-tree grows by sorted runs, one batch of claims at a time; each
        # batch leaves the staging table in the same transaction (an interrupted build
        # resumes).  Band slots 0..63 come from a small keyed table that the join reads by
        # range (k < the claim's band count); a recursive CTE in its place was re-run for
        # every claim and made the build ≈ 1.8× slower.
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {BAND_SLOTS} "
                             "(k INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(f"INSERT OR IGNORE INTO {BAND_SLOTS} (k) WITH RECURSIVE "
                             "r(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM r WHERE k < 63) "
                             "SELECT k FROM r")
        while True:
            last = conn.exec_driver_sql(
                f"SELECT max(claim_id) FROM (SELECT claim_id FROM {BANDS_STAGING} "
                f"ORDER BY claim_id LIMIT {BANDS_BATCH})").scalar()
            if last is None:
                break
            conn.exec_driver_sql(
                "INSERT INTO claim_bands (band_key, claim_id) "
                f"SELECT substr(s.keys, b.k * {_BAND_WIDTH} + 1, {_BAND_WIDTH}), s.claim_id "
                f"FROM {BANDS_STAGING} AS s JOIN temp.{BAND_SLOTS} AS b "
                f"ON b.k < length(s.keys) / {_BAND_WIDTH} WHERE s.claim_id <= ? ORDER BY 1, 2",
                (last,))
            conn.exec_driver_sql(f"DELETE FROM {BANDS_STAGING} WHERE claim_id <= ?", (last,))
            conn.commit()
        conn.exec_driver_sql(f"DROP TABLE {BANDS_STAGING}")
        _took("claim_bands from staging", began)
    _restore_indexes(conn)


def _took(step: str, began: float) -> None:
    """Print how long one step of the index build took (stderr, beside the progress lines)."""
    print(f"  index build: {step} {time.perf_counter() - began:.1f}s", file=sys.stderr, flush=True)


def _write_rows(engine: Engine, out: dict[str, list[tuple[Any, ...]]]) -> None:
    """One transaction: every table's rows (claim_bands staged on SQLite)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for table in TABLES:
            if table != "claim_bands":
                _write(conn, table, out[table])
            elif sqlite:
                if out[table]:
                    conn.exec_driver_sql(f"INSERT INTO {BANDS_STAGING} (claim_id, keys) "
                                         "VALUES (?, ?)", out[table])
            else:
                _write(conn, table, [(keys[k:k + _BAND_WIDTH], cid) for cid, keys in out[table]
                                     for k in range(0, len(keys), _BAND_WIDTH)])
        if not sqlite:
            for table in ("claims", "source_documents"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT coalesce(max(id), 1) FROM {table}))")


def bulk_load(url: str, n: int, workers: int, chunk: int = 4000, task: int = 250
              ) -> dict[str, float]:
    """Large N: rows of every table built in worker processes, written in big transactions
    by this one while the workers go on deriving (the pool queues results meanwhile)."""
    engine = make_engine(url)
    user_id, entries, people, tag_ids = ensure_reference(engine)
    start = loaded(engine)
    sqlite = engine.dialect.name == "sqlite"
    began, cpu_began = time.perf_counter(), _cpu_seconds()
    with engine.begin() as conn:
        fresh = not conn.scalar(select(func.count()).select_from(Claim))
        # A first load builds the full-text index once at the end (as does a resumed one
        # whose index was dropped by the interrupted run).
        deferred = not _search_index(conn, create=True) if not fresh else True
        if deferred:
            _search_index(conn, create=False)
        if sqlite:
            conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {BANDS_STAGING} "
                                 "(claim_id INTEGER PRIMARY KEY, keys TEXT NOT NULL)")
        if fresh:
            _defer_indexes(conn)
    if sqlite and fresh:
        _fast_bulk_pragmas(engine)
    ids = next_ids(engine)
    sources, new_sources = _source_plan(engine, start, n, ids["source"])
    corpus._WORKER.update(n=n, start=start, claim_base=ids["claim"], user_id=user_id,
                          sources=sources, new_sources=new_sources, tag_ids=tag_ids,
                          sqlite=sqlite)
    write_seconds = 0.0
    ctx = mp.get_context("fork")  # workers inherit _WORKER's plan
    with ctx.Pool(workers, corpus._init_worker, (entries, _names(entries), people)) as pool:
        done, batch = start, 0
        out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
        for count, rows in pool.imap(_task_rows, chunks(start, n, task)):
            for table, table_rows in rows.items():
                out[table] += table_rows
            done, batch = done + count, batch + count
            if batch >= chunk or done == n:
                batch = 0
                wrote = time.perf_counter()
                _write_rows(engine, out)
                write_seconds += time.perf_counter() - wrote
                out = {t: [] for t in TABLES}
                print(f"  {done:,}/{n:,} claims  {time.perf_counter() - began:.0f}s",
                      file=sys.stderr, flush=True)
    loaded_seconds = time.perf_counter() - began
    main_cpu, workers_cpu = (b - a for a, b in zip(cpu_began, _cpu_seconds(), strict=True))
    index_began = time.perf_counter()
    with engine.connect() as conn:
        if sqlite:
            _finish_sqlite(conn)  # commits batch by batch
        else:
            _restore_indexes(conn)
        conn.commit()
    began = time.perf_counter()
    with engine.begin() as conn:
        if deferred:
            _search_index(conn, create=True, fill=True)
    _took("full-text index", began)
    began = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if sqlite else "VACUUM ANALYZE")
    _took("ANALYZE" if sqlite else "VACUUM ANALYZE", began)
    index_seconds = time.perf_counter() - index_began
    return {"claims": n - start, "seconds": loaded_seconds,
            "rate": (n - start) / max(loaded_seconds, 1e-9), "index_seconds": index_seconds,
            "write_seconds": write_seconds, "main_cpu": main_cpu, "workers_cpu": workers_cpu}


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime
