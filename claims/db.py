"""Engine and session wiring, the MetaData naming convention, and SQLite pragmas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.selectable import SelectBase
from sqlalchemy.types import TypeDecorator

from claims.write_gate import GatedConnection, WriteGate, gate_for

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Full-text search objects created by migrations outside the ORM metadata (an FTS5 virtual
# table with its shadow tables and sync triggers on SQLite; on PostgreSQL a stored tsvector
# column with its GIN index, or the expression index that preceded them); schema comparison
# leaves them alone.
# Largest id or count a form, query or URL may name: INTEGER columns are 32-bit on
# PostgreSQL, and SQLite refuses Python ints past 64 bits (an OverflowError, not a 404).
MAX_ID = 2**31 - 1
SEARCH_OBJECTS_PREFIX = "claims_fts"
PG_TEXT_COLUMN = "text_tsv"
PG_TEXT_INDEX = "ix_claims_text_tsv"
PG_SEARCH_OBJECTS = frozenset({PG_TEXT_COLUMN, PG_TEXT_INDEX, "ix_claims_text_key_tsv"})


def is_search_object(name: str | None) -> bool:
    """True for the database objects of full-text search that live outside the models."""
    return bool(name) and (str(name).startswith(SEARCH_OBJECTS_PREFIX)
                           or name in PG_SEARCH_OBJECTS)


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """Now, in UTC."""
    return dt.datetime.now(dt.UTC)


# Seconds a writer waits for SQLite's lock (busy_timeout) or for its turn at the write gate.
SQLITE_BUSY_SECONDS = 10


def _sqlite_setup(engine: Engine, gate: WriteGate | None) -> None:
    """WAL, foreign keys, a generous busy timeout, and explicit BEGIN control."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so writes can take the lock up front (IMMEDIATE)
        # instead of failing with SQLITE_BUSY when a read transaction upgrades.
        dbapi_connection.isolation_level = None
        if isinstance(dbapi_connection, GatedConnection):
            dbapi_connection.gate = gate
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        dbapi_connection = conn.connection.dbapi_connection
        gated = mode == "IMMEDIATE" and isinstance(dbapi_connection, GatedConnection)
        if gated:
            dbapi_connection.enter_write()
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            if gated:
                dbapi_connection.leave_write()
            raise


# PostgreSQL's planner cost of a random page read on each connection (config
# pg_random_page_cost).  At the server's default of 4, a name whose matches are rare (600 of
# 100,000 claims, written in nine clitic forms) was searched by walking the primary key
# backwards through 32,000 rows (56 ms) instead of reading the GIN index (3 ms); over 500
# queries of each kind at 100k claims, search p99 in the database fell from 32 / 46 / 36 ms
# (entity / text / frequent terms) to 22–26 / 25–30 / 20–30 ms, p50 unchanged or lower; at
# 1M entity p99 fell from 132 / 133 to 115 / 104 ms and the rest moved within noise.  The
# planner still misjudges words that always come together (دونالد ترامب: 2,144 rows expected,
# 36,952 found, read through the bitmap in 180 ms where the key walk would stop early).
PG_RANDOM_PAGE_COST = 1.1


def make_engine(url: str, *, pg_random_page_cost: float = PG_RANDOM_PAGE_COST,
                **kwargs: Any) -> Engine:
    """Create an engine configured for this application's databases."""
    if url.startswith("sqlite"):
        gate = gate_for(make_url(url).database, SQLITE_BUSY_SECONDS)
        if gate is not None:
            kwargs.setdefault("connect_args", {})["factory"] = GatedConnection
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine, gate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "postgresql" and pg_random_page_cost > 0:
        cost = float(pg_random_page_cost)

        @event.listens_for(engine, "connect")
        def _planner_costs(dbapi_connection: Any, _record: Any) -> None:
            # Committed at once: the pool rolls connections back, which would undo a SET
            # left in an open transaction.
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET random_page_cost = {cost}")
            dbapi_connection.commit()

    return engine


def init_app(app: Flask) -> None:
    """Attach an engine and session factory to the app and close sessions per request."""
    engine = make_engine(app.config["DATABASE_URL"], pg_random_page_cost=float(
        app.config.get("PG_RANDOM_PAGE_COST", PG_RANDOM_PAGE_COST)))
    app.extensions["claims.engine"] = engine
    app.extensions["claims.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    """The application's engine."""
    engine: Engine = (app or current_app).extensions["claims.engine"]
    return engine


def get_session() -> Session:
    """The session for this request or CLI command, created on first use."""
    if "db_session" not in g:
        factory: sessionmaker[Session] = current_app.extensions["claims.sessionmaker"]
        g.db_session = factory()
    session: Session = g.db_session
    return session


def begin_write(session: Session) -> None:
    """Start a write transaction, taking SQLite's write lock first to avoid upgrade deadlocks."""
    if has_request_context() and g.get("reads_only_view"):
        # Such a view shares the user check's read snapshot (SQLite) or reads in autocommit
        # (PostgreSQL): a write there would deadlock or commit piece by piece.
        raise RuntimeError(f"{request.endpoint} is declared @reads_only but writes")
    if session.in_transaction():
        return
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def hold_names(session: Session, scope: str, names: Sequence[str]) -> None:
    """Until this write transaction ends, make others holding any of ``names`` (in ``scope``)
    wait: a uniqueness check that no constraint can express (entity names) is then not raced.
    SQLite's writers are one at a time already (``begin_write``)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # Sorted, so two transactions holding overlapping sets wait for each other, never deadlock.
    for name in sorted(set(names)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"{scope}:{name}"})


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        # Anything not committed by the view is discarded: nothing partial is ever written.
        session.rollback()
        session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for scripts and CLI commands; the caller commits."""
    factory: sessionmaker[Session] = app.extensions["claims.sessionmaker"]
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def driver_rows(conn: Connection, sql: str, params: Any) -> list[Any]:
    """Rows of ``sql`` run straight on the DBAPI cursor of ``conn``'s transaction.

    For SQLite's hot read paths, where SQLAlchemy's execution machinery costs several times
    what SQLite spends on the statement; ``sql`` is compiled by SQLAlchemy, values are bound.
    """
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


ResultProcessor = Callable[[Any], Any]


class CompiledSQL(NamedTuple):
    """A SELECT compiled for a positional DBAPI, with all ``driver_rows`` needs to run it."""

    sql: str
    # Its positional parameters in order, and the value each binds as compiled.
    names: tuple[str, ...]
    values: tuple[Any, ...]
    # Per result column, its type's result processor for the dialect (None: the value as read).
    processors: tuple[ResultProcessor | None, ...]

    def bind(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional values: those named in ``given``, the compiled ones elsewhere."""
        return tuple(given.get(name, value)
                     for name, value in zip(self.names, self.values, strict=True))


def compile_positional(stmt: SelectBase, dialect: Dialect, *, expand: bool = False,
                       expect: Sequence[str] | None = None) -> CompiledSQL:
    """``stmt`` compiled for ``dialect``, whose DBAPI must bind by position (SQLite's does)."""
    # ``expand``: each expanding IN parameter rendered as one placeholder per value bound in
    # ``stmt``.  ``expect``: the parameters the caller binds itself, in order, checked because
    # any other would silently be bound a wrong value.
    compiled = stmt.compile(
        dialect=dialect, compile_kwargs={"render_postcompile": True} if expand else {})
    if not compiled.positional:
        raise RuntimeError(f"{dialect.name} binds parameters by name, driver_rows by position")
    names = tuple(compiled.positiontup or ())
    if expect is not None and names != tuple(expect):
        raise RuntimeError(f"the statement binds {names}, not {tuple(expect)}")
    params = compiled.construct_params()
    processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                       for column in stmt.selected_columns)
    return CompiledSQL(str(compiled), names, tuple(params[name] for name in names), processors)


# (dialect, key) -> the compiled statement.  Filled once per key: a racing thread at worst
# compiles the same text again, and assigning the immutable tuple to a dict key is atomic.
_compiled: dict[tuple[Dialect, Hashable], CompiledSQL] = {}


def compiled_once(key: Hashable, dialect: Dialect, build: Callable[[], SelectBase], *,
                  expand: bool = False, expect: Sequence[str] | None = None) -> CompiledSQL:
    """``compile_positional(build(), dialect, ...)``, compiled on the first use of ``key``."""
    # ``key`` stands for all the SQL text depends on besides the dialect: with ``expand``, the
    # number of values of each expanding parameter too.
    found = _compiled.get((dialect, key))
    if found is None:
        found = _compiled[(dialect, key)] = compile_positional(
            build(), dialect, expand=expand, expect=expect)
    return found
