"""Search latency on a bench corpus: entity and text queries through ``search_claims``.

Run: ``.venv/bin/python bench/search.py --n 100000 [--db URL]`` after ``bench/corpus.py``.
500 distinct queries of each kind (top 20 with a snippet), the 500 most frequent terms as the
worst case, quoted phrases of two or three words from stored claims (alone, and after an
entity's name), one-word queries leaving out a frequent word (``-word``) or a name; a ``LIKE
'%q%'`` scan on the same database (count + newest 20, the same shape of answer) over a sample
of the same queries for the ratio.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from claims import create_app  # noqa: E402
from claims.db import session_scope  # noqa: E402
from claims.models import Alias, Claim, Entity  # noqa: E402
from claims.services import search as search_module  # noqa: E402
from claims.services.search import COUNT_SAMPLE, ClaimFilters, search_claims  # noqa: E402
from claims.services.search_syntax import parse_query  # noqa: E402
from claims.text.arabic import normalize  # noqa: E402

SEED = 7
PROCLITICS = ["", "", "و", "ب", "ل", "وب", "ف"]
HARAKA = "\u064e"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def snippet(body: str, key: str, q: str, width: int = 60) -> str:
    """About 2×width characters of ``body`` around the first query word found in its
    stored normalised ``key`` (positions mapped proportionally)."""
    for word in normalize(q).split():
        at = key.find(word)
        if at >= 0:
            centre = round(at * len(body) / max(len(key), 1))
            start = max(0, centre - width)
            return ("…" if start else "") + body[start:centre + width] + "…"
    return body[:2 * width] + ("…" if len(body) > 2 * width else "")


def entity_queries(session: Session, count: int, rng: random.Random) -> list[str]:
    """Distinct alias spellings with clitics, diacritics and English names."""
    aliases = session.scalars(select(Alias.text).join(Entity, Entity.id == Alias.entity_id)
                              .where(Entity.key.like("bench:%")).order_by(Alias.id)).all()
    found: dict[str, None] = {}
    while len(found) < count:
        name = rng.choice(aliases)
        if not name.isascii():
            name = rng.choice(PROCLITICS) + name
            if rng.random() < 0.2:
                name = name[:2] + HARAKA + name[2:]
        found[name] = None
    return list(found)


def term_counts(session: Session, sample: int = 20_000) -> Counter[str]:
    """Word frequencies over the newest ``sample`` claims' search keys."""
    counts: Counter[str] = Counter()
    for key in session.scalars(select(Claim.text_key).order_by(Claim.id.desc()).limit(sample)):
        counts.update(w for w in set(key.split()) if len(w) >= 3 and not w.isdigit())
    return counts


def text_queries(counts: Counter[str], count: int, rng: random.Random) -> list[str]:
    """Distinct one- and two-word queries drawn with the corpus's own word frequencies."""
    # Sorted: the counter's order follows set iteration, which string hashing randomises per
    # run, and the same seed must draw the same queries.
    words, weights = zip(*sorted(counts.items()), strict=True)
    found: dict[str, None] = {}
    while len(found) < count:
        picked = rng.choices(words, weights=weights, k=2 if rng.random() < 0.3 else 1)
        found[" ".join(dict.fromkeys(picked))] = None
    return list(found)


def phrase_queries(session: Session, count: int, rng: random.Random) -> list[str]:
    """Distinct quoted phrases as a fact-checker pastes them: two or three consecutive words
    of a stored claim's text (ASCII quotes or guillemets)."""
    ids = session.scalars(select(Claim.id).order_by(Claim.id.desc()).limit(20_000)).all()
    found: dict[str, None] = {}
    while len(found) < count:
        body = session.scalar(select(Claim.text).where(Claim.id == rng.choice(ids))) or ""
        words = [w for w in body.split() if len(w) >= 3 and not w.isdigit()]
        size = rng.choice((2, 2, 3))
        if len(words) <= size:
            continue
        start = rng.randrange(len(words) - size)
        quote = ('"', '"') if rng.random() < 0.7 else ("«", "»")
        found[quote[0] + " ".join(words[start:start + size]) + quote[1]] = None
    return list(found)


def excluding_queries(counts: Counter[str], count: int, rng: random.Random) -> list[str]:
    """Distinct one-word queries leaving out claims with one of the 50 most frequent words."""
    frequent = [w for w, _ in counts.most_common(50)]
    return [f"{q} -{rng.choice(frequent)}" for q in text_queries(counts, count, rng)]


def excluding_name_queries(session: Session, counts: Counter[str], count: int,
                           rng: random.Random) -> list[str]:
    """Distinct one-word queries leaving out a one-word name as typed (-وبوتين, -Putin): the
    claims naming its entity however written, and those it said, are left out."""
    names = session.scalars(select(Alias.text).join(Entity, Entity.id == Alias.entity_id)
                            .where(Entity.key.like("bench:%"), Alias.text.not_like("% %"))
                            .order_by(Alias.id)).all()
    found: dict[str, None] = {}
    for q in text_queries(counts, 2 * count, rng):
        name = rng.choice(names)
        found[f"{q} -{name if name.isascii() else rng.choice(PROCLITICS) + name}"] = None
        if len(found) == count:
            break
    return list(found)


class StatementClock:
    """Milliseconds spent inside the database driver (statement execution and fetch)."""

    def __init__(self, engine: Engine) -> None:
        self.total = 0.0
        self._began = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        # On SQLite the search statement itself runs straight on the DBAPI cursor, past
        # SQLAlchemy's events: time that call (execute and fetch) as well.
        run_statement = search_module._run

        def timed(session: Session, statement: Any) -> Any:
            if statement[1] is None:  # through SQLAlchemy: the events above time it
                return run_statement(session, statement)
            began = time.perf_counter()
            try:
                return run_statement(session, statement)
            finally:
                self.total += (time.perf_counter() - began) * 1000

        search_module._run = timed

    def _before(self, *_: object) -> None:
        self._began = time.perf_counter()

    def _after(self, *_: object) -> None:
        self.total += (time.perf_counter() - self._began) * 1000


def run(session: Session, queries: Sequence[str], clock: StatementClock
        ) -> tuple[list[float], list[float], list[int]]:
    """Milliseconds (whole call, and in the database) and totals of each query through
    search_claims (top 20 with snippets)."""
    times, db_times, totals = [], [], []
    for q in queries:
        clock.total = 0.0
        began = time.perf_counter()
        result = search_claims(session, ClaimFilters(q=q), page_size=20)
        for claim in result.claims:
            snippet(claim.text, claim.text_key, q)
        times.append((time.perf_counter() - began) * 1000)
        db_times.append(clock.total)
        totals.append(result.total)
        session.rollback()
    return times, db_times, totals


def _like(words: str) -> str:
    return "%" + normalize(words).replace("%", "").replace("_", "") + "%"


def like_scan(session: Session, queries: Sequence[str]) -> list[float]:
    """Milliseconds of count + newest 20 with ``text_key LIKE '%q%'`` for each query (a quoted
    phrase as one substring, each excluded word as ``NOT LIKE``)."""
    times = []
    for q in queries:
        query = parse_query(q)
        wanted = " ".join([query.plain, *(" ".join(p) for p in query.phrases)]).strip()
        where = " AND ".join(["text_key LIKE :p", *(f"text_key NOT LIKE :x{i}"
                                                     for i in range(len(query.excluded)))])
        params = {"p": _like(wanted)} | {f"x{i}": _like(" ".join(words))
                                         for i, words in enumerate(query.excluded)}
        began = time.perf_counter()
        session.execute(text(f"SELECT count(*) FROM claims WHERE {where}"), params).scalar()
        session.execute(text(f"SELECT id, text FROM claims WHERE {where} "
                             "ORDER BY created_at DESC, id DESC LIMIT 20"), params).all()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: instance/ SQLite)")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--like-sample", type=int, default=50,
                        help="queries of each kind also run as a LIKE scan (slow by nature)")
    parser.add_argument("--only", default="", help="comma-separated kinds to run (default all)")
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{ROOT / 'instance' / f'bench-{args.n}.sqlite3'}"
    app = create_app({"database_url": url})
    rng = random.Random(SEED)
    rows = []
    with app.app_context(), session_scope(app) as session:
        claims = session.scalar(text("SELECT count(*) FROM claims"))
        counts = term_counts(session)
        kinds: dict[str, list[str]] = {
            "entity": entity_queries(session, args.queries, rng),
            "text": text_queries(counts, args.queries, rng),
            "frequent terms": [w for w, _ in counts.most_common(args.queries)],
            "quoted phrase": phrase_queries(session, args.queries, rng),
            "name + quoted phrase": [f"{name} {phrase}" for name, phrase in zip(
                entity_queries(session, args.queries, rng),
                phrase_queries(session, args.queries, rng), strict=True)],
            "word -frequent word": excluding_queries(counts, args.queries, rng),
            "word -name": excluding_name_queries(session, counts, args.queries, rng),
        }
        if args.only:
            kinds = {k: v for k, v in kinds.items() if k in args.only.split(",")}
        clock = StatementClock(app.extensions["claims.engine"])
        run(session, [q for queries in kinds.values() for q in queries[:10]], clock)  # warm
        for kind, queries in kinds.items():
            times, db_times, totals = run(session, queries, clock)
            sample = queries[:: max(1, len(queries) // args.like_sample)][:args.like_sample]
            like = like_scan(session, sample)
            ours = [times[queries.index(q)] for q in sample]
            ours_db = [db_times[queries.index(q)] for q in sample]
            rows.append((kind, len(queries), times, db_times, statistics.mean(totals), like,
                         statistics.median(like) / statistics.median(ours),
                         statistics.median(like) / max(statistics.median(ours_db), 1e-3)))
    dialect = app.extensions["claims.engine"].dialect.name
    print(f"\nsearch on {dialect}, {claims:,} claims (ms; top 20 with snippet; whole call, "
          "and time inside the database driver; "
          f"hits exact up to {COUNT_SAMPLE}, else estimated; "
          f"LIKE over {args.like_sample} of the same queries)")
    print("| queries | n | p50 | p99 | max | db p50 | db p99 | mean hits | LIKE p50 | LIKE p99 "
          "| LIKE/search p50 | LIKE/db p50 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    fmt: Callable[[float], str] = lambda v: f"{v:.1f}" if v < 100 else f"{v:.0f}"  # noqa: E731
    for kind, n, times, db_times, hits, like, ratio, db_ratio in rows:
        print(f"| {kind} | {n} | {fmt(percentile(times, 50))} | {fmt(percentile(times, 99))} | "
              f"{fmt(max(times))} | {fmt(percentile(db_times, 50))} | "
              f"{fmt(percentile(db_times, 99))} | {hits:,.0f} | {fmt(percentile(like, 50))} | "
              f"{fmt(percentile(like, 99))} | {ratio:.0f}× | {db_ratio:.0f}× |")


if __name__ == "__main__":
    main()
