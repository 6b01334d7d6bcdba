"""The status change's Core write path and the Core user check behave as the ORM ones did:
same validation, history row in the write transaction, optimistic lock, flash and redirect,
and a session that ends as soon as its user is deactivated, demoted or given a new password."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, g
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from flask.testing import FlaskClient
from itsdangerous import BadSignature
from markupsafe import Markup
from sqlalchemy import event, func, select, update

from claims.db import begin_write, get_engine, get_session, session_scope
from claims.errors import Conflict, ValidationFailed
from claims.i18n import gettext
from claims.models import Claim, StatusChange, User, UserSession
from claims.services import claims as service


def _editor(session: Any) -> User:
    user = session.scalar(select(User).where(User.username == "editor"))
    assert user is not None
    return user


def _claim(app: Flask, seeded: dict[str, int], status: str = "unstarted") -> int:
    with app.app_context(), session_scope(app) as session:
        claim = service.create_claim(session, _editor(session), {
            "text": "قتل 38 من أصل 67 شخصاً كانوا على متن الطائرة", "status": status,
            "source_id": seeded["source"], "speaker": "بوتين"})
        session.commit()
        return claim.id


def _stored(app: Flask, claim_id: int) -> tuple[str, int, list[tuple[Any, ...]]]:
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        history = session.execute(
            select(StatusChange.from_status, StatusChange.to_status, StatusChange.user_id,
                   StatusChange.note).where(StatusChange.claim_id == claim_id)
            .order_by(StatusChange.id)).all()
        return claim.status, claim.version, [tuple(row) for row in history]


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement (BEGIN, COMMIT and ROLLBACK included) the app sends meanwhile."""
    seen: list[str] = []
    engine = get_engine(app)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    def on_commit(_conn: Any) -> None:
        seen.append("COMMIT")

    def on_rollback(_conn: Any) -> None:
        seen.append("ROLLBACK")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)


def test_web_status_change_writes_claim_and_history_in_one_write_transaction(
        app: Flask, editor_client: FlaskClient, seeded, user_ids) -> None:
    claim_id = _claim(app, seeded)
    with _statements(app) as seen:
        response = editor_client.post(f"/claims/{claim_id}/status",
                                      data={"status": "false", "version": "1", "note": " دحض "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/claims/{claim_id}#history"
    with editor_client.session_transaction() as sess:
        assert sess["_flashes"] == [("success", _message(app, "claim.status_ok"))]
    assert _stored(app, claim_id) == ("false", 2, [
        (None, "unstarted", user_ids["editor"], ""),
        ("unstarted", "false", user_ids["editor"], "دحض")])
    # The user check's read ends before the write: nothing of the users table is written,
    # and the claim is read, updated and its history appended in one transaction.
    assert not any(s.startswith("UPDATE users") for s in seen)
    update_at = next(i for i, s in enumerate(seen) if s.startswith("UPDATE claims"))
    insert_at = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO status_changes"))
    assert "COMMIT" not in seen[update_at:insert_at]
    assert seen[insert_at + 1] == "COMMIT"
    if get_engine(app).dialect.name == "sqlite":
        # The write lock is taken up front, not by upgrading the user check's snapshot.
        begin = max(i for i, s in enumerate(seen[:update_at]) if s.startswith("BEGIN"))
        assert seen[begin] == "BEGIN IMMEDIATE"
        assert seen[begin + 1].startswith("SELECT claims.id, claims.status, claims.version")
        assert seen[:begin].count("COMMIT") == 1  # the user check's read transaction


def _message(app: Flask, key: str) -> str:
    with app.test_request_context():
        return gettext(key)


def test_claim_updated_at_moves_with_the_status(app: Flask, editor_client, seeded) -> None:
    claim_id = _claim(app, seeded)
    with app.app_context(), session_scope(app) as session:
        before = session.get(Claim, claim_id).updated_at  # type: ignore[union-attr]
    editor_client.post(f"/claims/{claim_id}/status", data={"status": "true", "version": "1"})
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.updated_at > before
        created = session.scalar(select(func.max(StatusChange.created_at))
                                 .where(StatusChange.claim_id == claim_id))
        assert created == claim.updated_at


@pytest.mark.parametrize(("form", "field", "code"), [
    ({"status": "unstarted", "version": "1"}, "status", "same_status"),
    ({"status": "rumour", "version": "1"}, "status", "bad_choice"),
    ({"version": "1"}, "status", "required"),
    ({"status": "false", "version": "1", "note": "x" * 5000}, "note", "too_long"),
    ({"status": "false"}, "version", "required"),
    ({"status": "false", "version": "one"}, "version", "bad_version"),
])
def test_invalid_status_changes_are_refused_as_before(app: Flask, editor_client, seeded,
                                                      form, field, code) -> None:
    claim_id = _claim(app, seeded)
    response = editor_client.post(f"/claims/{claim_id}/status", data=form)
    assert response.status_code == 422
    assert _stored(app, claim_id)[:2] == ("unstarted", 1)
    with app.app_context(), session_scope(app) as session:
        claim = service.get_claim(session, claim_id)
        state = service.claim_state(session, claim_id)
        with pytest.raises(ValidationFailed) as by_state:
            service.set_status(session, state, _editor(session), form)
        with pytest.raises(ValidationFailed) as by_claim:
            service.change_status(session, claim, _editor(session), form)
    assert {(e.field, e.code) for e in by_state.value.errors} == \
        {(e.field, e.code) for e in by_claim.value.errors} == {(field, code)}


def test_stale_version_and_missing_claim(app: Flask, editor_client, seeded) -> None:
    claim_id = _claim(app, seeded)
    assert editor_client.post(f"/claims/{claim_id}/status",
                              data={"status": "false", "version": "1"}).status_code == 302
    stale = editor_client.post(f"/claims/{claim_id}/status",
                               data={"status": "true", "version": "1", "note": "متأخر"})
    assert stale.status_code == 409 and 'id="conflict"' in stale.get_data(as_text=True)
    missing = editor_client.post("/claims/999999/status",
                                 data={"status": "true", "version": "1"})
    assert missing.status_code == 404
    # Neither left the write lock taken: the next change goes through at once.
    assert editor_client.post(f"/claims/{claim_id}/status",
                              data={"status": "true", "version": "2"}).status_code == 302
    assert _stored(app, claim_id)[:2] == ("true", 3)
    assert len(_stored(app, claim_id)[2]) == 3


def test_versioned_update_refuses_a_change_that_raced_past_the_check(app: Flask,
                                                                    seeded) -> None:
    """The UPDATE carries WHERE version = n: a stale read still ends in Conflict."""
    claim_id = _claim(app, seeded)
    with app.app_context(), session_scope(app) as session:
        stale = service.claim_state(session, claim_id)
        session.rollback()
        session.execute(update(Claim).where(Claim.id == claim_id)
                        .values(status="true", version=Claim.version + 1))
        session.commit()
        begin_write(session)
        with pytest.raises(Conflict) as exc:
            service.set_status(session, stale, _editor(session),
                               {"status": "false", "version": 1})
        assert exc.value.current_version == 2
        session.commit()  # the failed write was rolled back: nothing of it is committed
    assert _stored(app, claim_id)[:2] == ("true", 2)
    assert len(_stored(app, claim_id)[2]) == 1


def test_change_status_keeps_the_loaded_claim_as_stored(app: Flask, seeded) -> None:
    claim_id = _claim(app, seeded)
    with app.app_context(), session_scope(app) as session:
        begin_write(session)
        claim = service.get_claim(session, claim_id)
        returned = service.change_status(session, claim, _editor(session),
                                         {"status": "mixed", "version": 1, "note": "n"})
        assert returned is claim
        assert (claim.status, claim.version) == ("mixed", 2)
        written = claim.updated_at
        assert claim not in session.dirty  # nothing left for the commit to write again
        with _statements(app) as seen:
            session.commit()
        assert seen == ["COMMIT"]
        with pytest.raises(Conflict):  # the object's version moved with the write
            service.change_status(session, claim, _editor(session),
                                  {"status": "true", "version": 1})
    with app.app_context(), session_scope(app) as session:
        stored = session.get(Claim, claim_id)
        assert stored is not None
        assert (stored.status, stored.version, stored.updated_at) == \
            ("mixed", 2, written)


def test_api_status_change_answers_with_the_written_claim(app: Flask, editor_client,
                                                          seeded) -> None:
    claim_id = _claim(app, seeded)
    response = editor_client.post(f"/api/v1/claims/{claim_id}/status",
                                  json={"status": "false", "version": 1, "note": "دحض"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.json
    assert body is not None
    with app.app_context(), session_scope(app) as session:
        stored = session.get(Claim, claim_id)
        assert stored is not None
        assert (body["status"], body["version"]) == (stored.status, stored.version) == ("false", 2)
        assert body["updated_at"] == stored.updated_at.isoformat()
    conflict = editor_client.post(f"/api/v1/claims/{claim_id}/status",
                                  json={"status": "true", "version": 1})
    assert conflict.status_code == 409
    assert len(_stored(app, claim_id)[2]) == 2


def test_the_session_user_is_the_stored_row_and_stays_clean(app: Flask,
                                                           editor_client) -> None:
    cookie = editor_client.get_cookie("claims_session")
    assert cookie is not None
    # a page that is not read-only: the user check must leave no transaction open
    with app.test_request_context("/claims/new",
                                  headers={"Cookie": f"claims_session={cookie.value}"}):
        assert app.preprocess_request() is None
        user = g.user
        db_session = get_session()
        assert isinstance(user, User) and user in db_session
        assert not db_session.in_transaction()  # begin_write will take the lock up front
        assert user not in db_session.dirty and not db_session.new
        stored = db_session.execute(select(User.__table__).where(User.id == user.id)).one()
        for name, value in stored._mapping.items():
            assert getattr(user, name) == value
        assert db_session.get(User, user.id) is user
        db_session.rollback()
        assert user.username == "editor"  # expired by the rollback, reloads as usual


@pytest.mark.parametrize("change", ["deactivate", "password", "demote"])
def test_a_changed_user_loses_the_session_on_the_next_request(app: Flask, editor_client,
                                                              seeded, change) -> None:
    claim_id = _claim(app, seeded)
    assert editor_client.post(f"/claims/{claim_id}/status",
                              data={"status": "false", "version": "1"}).status_code == 302
    values = {"deactivate": {"is_active": False},
              "password": {"password_hash": "$argon2id$v=19$changed-hash-0123456789abcdef"},
              "demote": {"role": "viewer"}}[change]
    users = User.__table__
    with get_engine(app).begin() as conn:
        old_hash = conn.scalar(select(users.c.password_hash).where(users.c.username == "editor"))
        conn.execute(users.update().where(users.c.username == "editor").values(**values))
        if change == "password":  # users.set_password ends the sessions in the same transaction
            editor = conn.scalar(select(users.c.id).where(users.c.username == "editor"))
            conn.execute(update(UserSession).where(UserSession.user_id == editor)
                         .values(ended_at=dt.datetime.now(dt.UTC)))
    try:
        response = editor_client.post(f"/claims/{claim_id}/status",
                                      data={"status": "true", "version": "2"})
    finally:
        with get_engine(app).begin() as conn:  # other tests log in with the real password
            conn.execute(users.update().where(users.c.username == "editor")
                         .values(password_hash=old_hash, is_active=True, role="editor"))
    if change == "demote":
        assert response.status_code == 403  # still logged in, but no longer an editor
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        with editor_client.session_transaction() as sess:
            assert "sid" not in sess
    assert _stored(app, claim_id)[:2] == ("false", 2)


_ODD_VALUES: list[Any] = [
    {"_permanent": True, "uid": 7, "pw": "0123456789abcdef", "lang": "ar", "n": None,
     "f": 1.5, "_flashes": [("success", "تم حفظ الحالة"), ("info", "<b>")]},
    {"t": (1, 2, [3, (4,)]), "b": b"\x00xy", "m": Markup("<b>x</b>"),
     "u": uuid.UUID(int=42), "d": dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
     " t": 1, "x": {" t": [1]}, "y": {" di": 2}, "z": {"k": (1,)}, "e": {}, "l": [],
     "tt": (), "s": "\u200f\u202e"},
    {" t": 5}, [("a",)], {"k": {" t": [1, 2]}}, (), "x", 3, True,
]


@pytest.mark.parametrize("value", _ODD_VALUES)
def test_session_json_is_flasks_text_exactly(app: Flask, value: Any) -> None:
    ours = app.session_interface.serializer  # type: ignore[attr-defined]
    with app.app_context():
        text = ours.dumps(value)
        assert text == session_json_serializer.dumps(value)
        assert ours.loads(text) == session_json_serializer.loads(text)
        assert type(ours.loads(text)) is type(session_json_serializer.loads(text))


def test_session_cookies_are_interchangeable_with_flasks(app: Flask) -> None:
    """Sessions signed before this interface (or by a worker without it) stay valid."""
    flask_sessions = SecureCookieSessionInterface()
    ours = app.session_interface
    value = dict(_ODD_VALUES[0])
    with app.app_context():
        theirs_signer = flask_sessions.get_signing_serializer(app)
        ours_signer = ours.get_signing_serializer(app)  # type: ignore[attr-defined]
        assert theirs_signer is not None and ours_signer is not None
        assert ours_signer.loads(theirs_signer.dumps(value)) == value
        assert theirs_signer.loads(ours_signer.dumps(value)) == value
        app.secret_key = "another-secret-key-that-is-long-enough-for-tests"
        # A new key is used at once: the cached signer follows the configuration.
        assert ours.get_signing_serializer(app) is not ours_signer  # type: ignore[attr-defined]
        with pytest.raises(BadSignature):
            ours.get_signing_serializer(app).loads(  # type: ignore[attr-defined]
                ours_signer.dumps(value))
