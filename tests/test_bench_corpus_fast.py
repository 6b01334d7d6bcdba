"""The fast bulk path of bench/corpus.py stores what the per-claim path stores."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench import bulk_load, corpus, corpus_gen
from claims.text.arabic import normalize
from claims.text.match_analysis import _WORD_RE, _stem_row, claim_signature, lsh_band_keys
from claims.text.minhash import band_hashes, band_keys, min_rows


def _reference_claim(i: int, names: list[tuple[int, str]], people: list[int]) -> dict[str, Any]:
    """make_claim as first written, through the ``random.Random`` methods."""
    rng = random.Random(corpus_gen.SEED * 1_000_003 + i)
    pick = lambda: rng.choices(names, cum_weights=corpus_gen._zipf(len(names)))[0]  # noqa: E731
    speaker = rng.choices(people, cum_weights=corpus_gen._zipf(len(people)))[0] \
        if rng.random() < 0.6 else None
    speaker_name = corpus_gen._first_name(names).get(speaker) if speaker is not None else None
    words = [rng.choice(corpus_gen.SAY),
             corpus_gen.clitic(rng, speaker_name) if speaker_name else "مصدر", "إن"]
    for _ in range(rng.randint(1, 3)):
        body = [rng.choice(corpus_gen.WORDS) for _ in range(rng.randint(4, 12))]
        body.insert(rng.randrange(len(body) + 1), corpus_gen.clitic(rng, pick()[1]))
        if rng.random() < 0.45:
            number = str(rng.choice([rng.randint(2, 99), rng.randint(100, 99999)]))
            if rng.random() < 0.2:
                number = number.translate({ord(d): chr(0x0660 + int(d)) for d in "0123456789"})
            body.insert(rng.randrange(len(body) + 1), f"{number} {rng.choice(corpus_gen.UNITS)}")
        words.extend(body)
    text_ = " ".join(corpus_gen.vary(rng, w) for w in words) + "."
    return {"text": text_, "speaker_id": speaker,
            "status": corpus_gen.weighted(rng, corpus_gen.STATUSES),
            "claim_type": corpus_gen.weighted(rng, corpus_gen.TYPES),
            "tags": sorted(set(rng.sample(corpus_gen.TAGS, k=rng.choice([0, 1, 1, 2, 3]))))}


def _stand_in_names() -> tuple[list[tuple[int, str]], list[int]]:
    names: list[tuple[int, str]] = []
    people: list[int] = []
    for eid, (_, kind, ar, _en, aliases) in enumerate(corpus_gen.entity_specs(), start=1):
        names += [(eid, ar)] + [(eid, a) for a, _k, lang in aliases if lang == "ar"]
        people += [eid] if kind == "person" else []
    return names, people


def test_make_claim_draws_as_the_random_methods() -> None:
    names, people = _stand_in_names()
    for i in [*range(3000), 10**6, 123_456_789]:
        assert corpus_gen.make_claim(i, names, people) == _reference_claim(i, names, people), i


# Characters that normalize folds, deletes, decomposes into several words or treats as space.
_TRICKY = (list("ابتجدهوزحطيكلمنسعفصقرشتثخذضظغ") + list("أإآىةـًٌٍَُِّْٰ٠١٢٩۱۲0129.,-%٫٬،؟_'")
           + [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "\u2003", "\u200b", "\u200c", "\u200d",
              "\u200e", "\u202b", "\ufeff", "\u00ad", "\ufdfa", "\ufefb", "\ufef5", "\uff11",
              "\u00b2", "\u2460", "é", "É", "ß", "İ", "\u0301", "\u1100", "\u1161", "\u0653",
              "\u0654", "ا\u0653", "\u06c0", "\x1c", "\x85", "\u2028", "\u0640\u0640", "A"])


def _whole_text_signature(text: str) -> list[int]:
    rows = [r for r in map(_stem_row, _WORD_RE.findall(normalize(text))) if r is not None]
    return min_rows(rows)


def test_signature_and_band_keys_as_whole_text() -> None:
    rng = random.Random(11)
    names, people = _stand_in_names()
    texts = [corpus_gen.make_claim(i, names, people)["text"] for i in range(300)]
    texts += ["".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 30)))
              for _ in range(20_000)]
    for text in texts:
        signature = _whole_text_signature(text)
        assert claim_signature(text) == signature, repr(text)
        expected = [f"{h:016x}" for h in band_hashes(signature)]
        assert lsh_band_keys(signature) == expected == band_keys(signature), repr(text)


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    skip = {"created_at", "updated_at", "password_hash"}
    with sqlite3.connect(path) as conn:
        out = {}
        for table in (*corpus.TABLES, "entities", "aliases", "tags"):
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                    if table in corpus.TABLES or r[1] not in skip]
            names = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f'SELECT {names} FROM "{table}" ORDER BY {names}').fetchall()
        out["<indexes>"] = conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
            "ORDER BY name").fetchall()
        out["<tables>"] = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        out["<fts>"] = conn.execute("SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'مصدر' "
                                    "ORDER BY rowid").fetchall()
    return out


def _migrated(path: Path) -> str:
    from alembic import command

    from claims.cli import alembic_config

    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
    return url


def _per_claim_load(url: str, n: int) -> None:
    """The rows derive + write_chunk make (the path the bulk load replaced), full text index."""
    engine = corpus.make_engine(url)
    user_id, entries, people, tag_ids = corpus.ensure_reference(engine)
    corpus._init_worker(entries, corpus._names(entries), people)
    ids = corpus.next_ids(engine)
    for part in corpus.chunks(0, n, 70):
        corpus.write_chunk(engine, [corpus.derive(i) for i in part], n, user_id, tag_ids, ids)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def _interrupted_load(monkeypatch: pytest.MonkeyPatch, url: str, n: int, chunk: int) -> None:
    """A bulk load stopped (KeyboardInterrupt) after its first transaction."""
    write_rows = bulk_load._write_rows
    calls: list[int] = []

    def interrupted(engine: Any, out: dict[str, list[tuple[Any, ...]]]) -> None:
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        write_rows(engine, out)

    with monkeypatch.context() as patch:
        patch.setattr(bulk_load, "_write_rows", interrupted)
        with pytest.raises(KeyboardInterrupt):
            bulk_load.bulk_load(url, n, workers=1, chunk=chunk, task=30)


@pytest.mark.slow
def test_bulk_load_stores_the_per_claim_rows(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    n = 260
    expected_db, bulk_db, resumed_db = (tmp_path / f"{k}.sqlite3"
                                        for k in ("expected", "bulk", "resumed"))
    _per_claim_load(_migrated(expected_db), n)
    expected = _rows(expected_db)
    assert len(expected["claim_bands"]) > 20 * n and expected["quantities"]

    bulk_load.bulk_load(_migrated(bulk_db), n, workers=1, chunk=100, task=30)
    assert _rows(bulk_db) == expected

    # claim_bands built in batches of claims (a corpus of more than BANDS_BATCH claims).
    monkeypatch.setattr(bulk_load, "BANDS_BATCH", 70)
    batched_db = tmp_path / "batched.sqlite3"
    bulk_load.bulk_load(_migrated(batched_db), n, workers=1, chunk=100, task=30)
    assert _rows(batched_db) == expected

    # Interrupted after its first transaction (the staging rows and the dropped indexes
    # survive), then run again: it finishes them with the rest of the claims.
    url = _migrated(resumed_db)
    _interrupted_load(monkeypatch, url, n, chunk=100)
    assert corpus.loaded(corpus.make_engine(url)) == 120
    bulk_load.bulk_load(url, n, workers=1, chunk=100, task=30)
    assert _rows(resumed_db) == expected


def _server_rows(url: str) -> dict[str, Any]:
    """Every bulk table's rows (sorted) and claim_bands' keys, on the server engine."""
    from sqlalchemy import text

    engine = corpus.make_engine(url)
    with engine.connect() as conn:
        out: dict[str, Any] = {}
        for table, cols in corpus.TABLES.items():
            columns = ", ".join(f'"{c}"' for c in cols)
            out[table] = sorted(tuple(map(str, r)) for r in conn.execute(
                text(f"SELECT {columns} FROM {table}")))
        out["<keys>"] = sorted(conn.execute(text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'claim_bands'::regclass")).all()) + sorted(conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'claim_bands'")))
        out["<state>"] = conn.execute(text("SELECT to_regclass(:t)"),
                                      {"t": bulk_load.INDEX_STATE}).scalar()
    engine.dispose()
    return out


@pytest.mark.slow
def test_bulk_load_on_postgresql_defers_and_restores_the_band_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from alembic import command

    from claims.cli import alembic_config
    from tests.conftest import scratch_database

    if not os.environ.get("CLAIMS_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL only (CLAIMS_TEST_DATABASE_URL); SQLite is checked row by row")
    n = 180
    with scratch_database(tmp_path, "bulk_expected") as expected_url, \
            scratch_database(tmp_path, "bulk_resumed") as url:
        command.upgrade(alembic_config(expected_url), "head")  # type: ignore[arg-type]
        _per_claim_load(expected_url, n)
        expected = _server_rows(expected_url)
        assert len(expected["claim_bands"]) > 20 * n and len(expected["<keys>"]) == 4
        assert expected["<state>"] is None

        # Interrupted after its first transaction: the keys are still dropped, their SQL kept.
        command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
        _interrupted_load(monkeypatch, url, n, chunk=60)
        halfway = _server_rows(url)
        assert halfway["<keys>"] == [] and halfway["<state>"] is not None
        bulk_load.bulk_load(url, n, workers=1, chunk=60, task=30)
        assert _server_rows(url) == expected
