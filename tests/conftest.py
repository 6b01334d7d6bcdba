"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when asked), the app,
its client and CLI runner, and users of every role."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text

from claims import create_app
from claims.db import Base, get_engine, session_scope

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "editor", "admin")


# Test modules that never open a database: the text pipeline and in-memory structures.  They
# are the same on every engine, so CI's PostgreSQL run leaves them to the SQLite run
# (``-m "not engine_free"``) instead of running them twice.
ENGINE_FREE_MODULES = frozenset({
    "test_lru", "test_match_words", "test_text_arabic", "test_text_homographs",
    "test_text_inflection", "test_text_ingest", "test_text_link_context",
    "test_text_link_rules", "test_text_linking", "test_text_matching", "test_text_morphology",
    "test_text_ner", "test_text_news_pages", "test_text_quantities", "test_text_speed"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the engine-free modules' tests; refuse one there that asks for a database."""
    for item in items:
        if item.module is None or item.module.__name__.rsplit(".", 1)[-1] not in \
                ENGINE_FREE_MODULES:
            continue
        if "database_url" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid} uses a database: take its module out of "
                                    "ENGINE_FREE_MODULES")
        item.add_marker(pytest.mark.engine_free)


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test clearly when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is absent on this machine ({path} not found)")
    return path


@contextmanager
def scratch_database(directory: Path, prefix: str) -> Iterator[str]:
    """A fresh, empty database of the engine under test, dropped afterwards."""
    server = os.environ.get("CLAIMS_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{directory / (prefix + '.sqlite3')}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test run, dropped afterwards."""
    with scratch_database(tmp_path_factory.mktemp("db"), "claims_test") as url:
        yield url


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An app on the test database."""
    settings = {"database_url": database_url, "testing": True, "wtf_csrf_enabled": False,
                "secret_key": "test-secret-key-that-is-long-enough-for-tests"}
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture(scope="session")
def _schema(database_url: str) -> dict[str, int]:
    """Migrate once per run and create one user of each role (argon2 is slow on purpose)."""
    from alembic import command

    from claims.cli import alembic_config
    from claims.services.users import create_user

    command.upgrade(alembic_config(database_url), "head")  # type: ignore[arg-type]
    app = make_app(database_url)
    ids = {}
    with app.app_context(), session_scope(app) as session:
        for role in ROLES:
            ids[role] = create_user(session, {"username": role, "password": PASSWORD,
                                              "role": role}).id
        session.commit()
    get_engine(app).dispose()
    return ids


def _clean(app: Flask) -> None:
    """Empty every table, keeping only the three role users, so each test starts alike."""
    engine = get_engine(app)
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "users"]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            # What TRUNCATE … RESTART IDENTITY does, at a twentieth of its cost on tables this
            # small (~7 ms, not ~150 ms, twice per test): restart the sequences they own.
            conn.execute(text(
                "SELECT setval(s.oid, 1, false) FROM pg_class s"
                " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " WHERE s.relkind = 'S' AND t.relname = ANY(:names)"),
                {"names": [t.name for t in tables]})
        users = Base.metadata.tables["users"]
        conn.execute(users.delete().where(users.c.username.not_in(ROLES)))
        for role in ROLES:  # a test may have changed a role user; put it back
            conn.execute(users.update().where(users.c.username == role)
                         .values(role=role, is_active=True))


@pytest.fixture
def app(database_url: str, _schema: dict[str, int]) -> Iterator[Flask]:
    """The application on a clean test database."""
    application = make_app(database_url)
    _clean(application)  # also forgets login failures (the throttle lives in the database)
    yield application
    _clean(application)
    get_engine(application).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (not logged in)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app."""
    return app.test_cli_runner()


@pytest.fixture
def user_ids(_schema: dict[str, int]) -> dict[str, int]:
    """Ids of the viewer, editor and admin test users."""
    return _schema


def login_as(client: FlaskClient, app: Flask, role: str) -> None:
    """Log the client in as the test user of ``role`` without paying for argon2 each time."""
    import datetime as dt

    from sqlalchemy import select

    from claims.models import User
    from claims.services.sessions import start_session

    with app.app_context(), session_scope(app) as session:
        user = session.scalar(select(User).where(User.username == role))
        assert user is not None
        secret = start_session(session, user, dt.timedelta(hours=12))
        session.commit()
        with client.session_transaction() as sess:
            sess["sid"] = secret


@pytest.fixture
def editor_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client logged in as an editor."""
    login_as(client, app, "editor")
    return client


@pytest.fixture
def seeded(app: Flask) -> dict[str, int]:
    """A few entities and a source document, enough for claim tests."""
    from claims.models import Alias, Entity, SourceDocument
    from claims.services.linker import aliases_changed
    from claims.text.linking import alias_key

    spec = {
        "putin": ("person", "فلاديمير بوتين", "Vladimir Putin",
                  [("بوتين", "short", "ar"), ("Putin", "name", "en")]),
        "azerbaijan": ("place", "أذربيجان", "Azerbaijan",
                       [("أذربيجاني", "demonym", "ar"), ("Azerbaijan", "name", "en")]),
        "aliyev": ("person", "إلهام علييف", "Ilham Aliyev", [("علييف", "short", "ar")]),
        "grozny": ("place", "غروزني", "Grozny", []),
    }
    ids: dict[str, int] = {}
    with app.app_context(), session_scope(app) as session:
        for key, (kind, name_ar, name_en, aliases) in spec.items():
            entity = Entity(key=f"test:{key}", kind=kind, name_ar=name_ar, name_en=name_en)
            entity.aliases.append(Alias(text=name_ar, key=alias_key(name_ar), kind="name",
                                        lang="ar"))
            for text_, kind_, lang in aliases:
                entity.aliases.append(Alias(text=text_, key=alias_key(text_), kind=kind_,
                                            lang=lang))
            session.add(entity)
            session.flush()
            ids[key] = entity.id
        source = SourceDocument(title="تقرير أ ف ب", outlet="أ ف ب",
                                text="قال بوتين إن 38 شخصاً قتلوا.", language="ar")
        session.add(source)
        session.flush()
        ids["source"] = source.id
        aliases_changed(session)
        session.commit()
    return ids
