"""Claim services: validation, history, optimistic locking, evidence and tags."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from claims.db import begin_write, session_scope
from claims.errors import Conflict, ValidationFailed
from claims.models import Claim, ClaimRevision, Evidence, Mention, StatusChange, Tag, User
from claims.models.claims import HistoryIsAppendOnly
from claims.services import claims as service
from claims.services import evidence as evidence_service
from claims.services import revisions


def _user(session, role: str = "editor") -> User:
    user = session.scalar(select(User).where(User.username == role))
    assert user is not None
    return user


def _create(session, seeded: dict[str, int], **fields) -> Claim:
    data = {"text": "قتل 38 من أصل 67 شخصاً كانوا على متن الطائرة الأذربيجانية",
            "source_id": seeded["source"], "speaker": "بوتين", "status": "unstarted"}
    data.update(fields)
    return service.create_claim(session, _user(session), data)


def _codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


def test_create_claim_writes_history_links_entities_and_keeps_text(app: Flask, seeded) -> None:
    text = "وقال بُوتين إن ٣٨ شخصاً قتلوا قرب غروزني"
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded, text=text, tags="طيران، روسيا, طيران")
        session.commit()
        stored = session.get(Claim, claim.id)
        assert stored.text == text  # stored exactly as given
        assert stored.speaker_id == seeded["putin"]
        assert sorted(t.name for t in stored.tags) == ["روسيا", "طيران"]
        history = session.scalars(
            select(StatusChange).where(StatusChange.claim_id == claim.id)).all()
        assert [(h.from_status, h.to_status) for h in history] == [(None, "unstarted")]
        linked = {m.entity_id for m in stored.mentions}
        assert {seeded["putin"], seeded["grozny"]} <= linked
        assert "38" in stored.text_key  # Arabic-Indic digits folded in the key only


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"text": "   "}, {"text": "required"}),
        ({"text": "ا" * 2001}, {"text": "too_long"}),
        ({"status": "maybe"}, {"status": "bad_choice"}),
        ({"source_id": "", "source_url": "javascript:alert(1)"}, {"source_url": "bad_url"}),
        ({"source_id": "", "source_url": ""}, {"source_id": "missing_source"}),
        ({"source_id": "99999"}, {"source_id": "unknown_source"}),
        ({"speaker": "شخص مجهول تماما"}, {"speaker": "unknown_speaker"}),
        ({"claim_date": "2024-13-45"}, {"claim_date": "bad_date"}),
        ({"claim_type": "gossip"}, {"claim_type": "bad_choice"}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(app: Flask, seeded, fields, expected) -> None:
    with app.app_context(), session_scope(app) as session:
        with pytest.raises(ValidationFailed) as exc:
            _create(session, seeded, **fields)
        session.rollback()
        assert expected.items() <= _codes(exc).items()
        assert session.scalar(select(func.count()).select_from(Claim)) == 0
        assert session.scalar(select(func.count()).select_from(StatusChange)) == 0


def test_new_source_by_url_is_created_with_the_claim(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded, source_id="", source_url="https://example.org/a",
                        source_title="مقال")
        session.commit()
        assert claim.source.url == "https://example.org/a"
        assert claim.source.title == "مقال"


def test_status_change_appends_history_with_who_when_note(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded)
        session.commit()
        service.change_status(session, claim, _user(session),
                              {"status": "false", "note": "الأرقام الرسمية تخالف ذلك",
                               "version": claim.version})
        session.commit()
        rows = session.scalars(select(StatusChange).where(StatusChange.claim_id == claim.id)
                               .order_by(StatusChange.id)).all()
        assert [(r.from_status, r.to_status) for r in rows] == [(None, "unstarted"),
                                                                 ("unstarted", "false")]
        assert rows[-1].note == "الأرقام الرسمية تخالف ذلك"
        assert rows[-1].user.username == "editor"
        assert rows[-1].created_at.tzinfo is not None
        assert claim.status == "false" and claim.version == 2


def test_status_change_rejects_unknown_and_same_status(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded)
        session.commit()
        for status, code in (("nonsense", "bad_choice"), ("unstarted", "same_status")):
            with pytest.raises(ValidationFailed) as exc:
                service.change_status(session, claim, _user(session),
                                      {"status": status, "version": claim.version})
            assert _codes(exc)["status"] == code
            session.rollback()


def test_stale_version_is_a_conflict_and_nothing_is_lost(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded)
        session.commit()
        seen = claim.version
        service.change_status(session, claim, _user(session),
                              {"status": "in_progress", "version": seen})
        session.commit()
        with pytest.raises(Conflict) as exc:
            service.change_status(session, claim, _user(session),
                                  {"status": "true", "version": seen})
        session.rollback()
        assert exc.value.current_version == seen + 1
        assert session.get(Claim, claim.id).status == "in_progress"
        assert session.scalar(select(func.count()).select_from(StatusChange)) == 2


def test_concurrent_sessions_cannot_both_win(app: Flask, seeded) -> None:
    """Two editors load version 1; the database itself refuses the second write."""
    with app.app_context(), session_scope(app) as first:
        claim_id = _create(first, seeded).id
        first.commit()
    with app.app_context(), session_scope(app) as a, session_scope(app) as b:
        claim_a = a.get(Claim, claim_id)
        claim_b = b.get(Claim, claim_id)
        service.change_status(a, claim_a, _user(a), {"status": "true", "version": 1})
        a.commit()
        b.rollback()  # end b's read snapshot; it still holds the stale object state
        claim_b.status  # noqa: B018 - reload
        with pytest.raises(Conflict):
            service.change_status(b, claim_b, _user(b), {"status": "false", "version": 1})
    with app.app_context(), session_scope(app) as check:
        assert check.get(Claim, claim_id).status == "true"
        assert check.scalar(select(func.count()).select_from(StatusChange)) == 2


def test_optimistic_lock_holds_even_if_the_version_check_is_bypassed(app: Flask, seeded) -> None:
    """The UPDATE itself carries WHERE version = n, so a race past the check still conflicts."""
    with app.app_context(), session_scope(app) as s1:
        claim_id = _create(s1, seeded).id
        s1.commit()
    with app.app_context(), session_scope(app) as a, session_scope(app) as b:
        claim_b = b.get(Claim, claim_id)
        b.expunge(claim_b)  # keep b's stale copy (version 1) past the end of its snapshot
        b.rollback()
        claim_a = a.get(Claim, claim_id)
        claim_a.status = "true"
        a.commit()
        b.add(claim_b)
        begin_write(b)
        claim_b.status = "false"
        from sqlalchemy.orm.exc import StaleDataError

        with pytest.raises(StaleDataError):
            b.flush()


def test_update_claim_relinks_and_checks_version(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded, text="قال بوتين شيئاً")
        session.commit()
        data = {"text": "اتهم علييف موسكو", "source_id": seeded["source"], "version": 1,
                "speaker": "علييف"}
        service.update_claim(session, claim, _user(session), data)
        session.commit()
        assert {m.entity_id for m in claim.mentions} == {seeded["aliyev"]}
        assert claim.speaker_id == seeded["aliyev"]
        with pytest.raises(Conflict):
            service.update_claim(session, claim, _user(session), data)


def test_evidence_add_validate_remove(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded)
        with pytest.raises(ValidationFailed) as exc:
            evidence_service.add_evidence(session, claim, _user(session),
                                          {"url": "not a url", "kind": "rumour"})
        assert {"url": "bad_url", "kind": "bad_choice"}.items() <= _codes(exc).items()
        evidence = evidence_service.add_evidence(session, claim, _user(session), {
            "url": "https://example.org/report", "title": "تقرير", "kind": "official",
            "stance": "refutes", "accessed_date": "٢٠٢٥-١٠-٠٩"})
        session.commit()
        assert evidence.accessed_date.isoformat() == "2025-10-09"
        evidence_service.update_evidence(session, claim, _user(session), evidence.id,
                                         {"stance": "supports", "version": 1})
        evidence_service.remove_evidence(session, claim, None, evidence.id, 2)
        session.commit()
        assert session.scalar(select(func.count()).select_from(Evidence)) == 0
        # Added, edited and removed: each step is in the claim's edit history, item and all.
        steps = [r.changes["evidence"] for r in revisions.revisions_of(session, claim.id)]
        item = {"id": evidence.id, "title": "تقرير", "url": "https://example.org/report",
                "publisher": None, "kind": "official", "stance": "refutes",
                "accessed_date": "2025-10-09", "note": ""}
        assert steps == [[None, item], [item, item | {"stance": "supports"}],
                         [item | {"stance": "supports"}, None]]


def test_two_sessions_editing_one_evidence_item_end_in_a_conflict(app: Flask, seeded) -> None:
    """Both saw version 1: the UPDATE's WHERE version = 1 catches the one that lost the race."""
    with app.app_context(), session_scope(app) as first:
        claim = _create(first, seeded)
        evidence_id = evidence_service.add_evidence(first, claim, _user(first), {
            "url": "https://example.org/report", "title": "تقرير"}).id
        claim_id = claim.id
        first.commit()
    with app.app_context(), session_scope(app) as a, session_scope(app) as b:
        claim_b = b.get(Claim, claim_id)
        stale = evidence_service.get_evidence(b, claim_b, evidence_id)
        b.expunge(stale)  # b keeps version 1 past the end of its snapshot
        b.rollback()
        evidence_service.update_evidence(a, a.get(Claim, claim_id), None, evidence_id,
                                         {"note": "الأول", "version": 1})
        a.commit()
        b.add(stale)
        begin_write(b)
        with pytest.raises(Conflict) as lost:
            evidence_service.update_evidence(b, b.get(Claim, claim_id), None, evidence_id,
                                             {"note": "الثاني", "version": 1})
        assert lost.value.current_version == 2
    with app.app_context(), session_scope(app) as check:
        assert check.get(Evidence, evidence_id).note == "الأول"


def test_every_edit_keeps_what_it_replaced(app: Flask, seeded) -> None:
    old_text = "قال بوتين إن ٣٨ شخصاً قتلوا"
    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded, text=old_text, tags="طيران")
        session.commit()
        editor = _user(session)
        data = {"text": "قال علييف إن 38 شخصاً قتلوا", "source_id": seeded["source"],
                "version": 1, "speaker": "علييف", "tags": "طيران، روسيا",
                "claim_date": "٢٠٢٤-١٢-٢٦"}
        service.update_claim(session, claim, editor, data)
        session.commit()
        # The same values again: nothing changed, so neither the version nor the history moves.
        service.update_claim(session, claim, editor, data | {"version": 2})
        session.commit()
        assert claim.version == 2
        with pytest.raises(Conflict):  # a stale edit records nothing either
            service.update_claim(session, claim, editor, data | {"text": "نص آخر",
                                                                 "version": 1})
        session.rollback()
        rows = revisions.revisions_of(session, claim.id)
        assert len(rows) == 1
        assert rows[0].version == 2 and rows[0].user is not None
        assert rows[0].user.username == "editor"
        assert rows[0].changes == {
            "text": [old_text, "قال علييف إن 38 شخصاً قتلوا"],
            "speaker": ["فلاديمير بوتين", "إلهام علييف"], "claim_date": [None, "2024-12-26"],
            "tags": ["طيران", "روسيا, طيران"]}
        rows[0].changes = {}
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.get(ClaimRevision, rows[0].id))
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()


def test_history_rows_cannot_be_updated_or_deleted(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        _create(session, seeded)
        session.commit()
        row = session.scalar(select(StatusChange))
        row.note = "rewritten"
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.scalar(select(StatusChange)))
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()


def test_tags_are_shared_by_normalised_key(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        _create(session, seeded, tags="روسيا")
        _create(session, seeded, tags="رُوسيا")
        session.commit()
        assert session.scalar(select(func.count()).select_from(Tag)) == 1


def test_rejected_mentions_stay_rejected_after_relink(app: Flask, seeded) -> None:
    from claims.services.linker import relink_all

    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded, text="قال بوتين")
        session.commit()
        mention = claim.mentions[0]
        service.set_mention_review(session, claim, None, mention.id, "rejected")
        relink_all(session)
        session.commit()
        reviews = session.scalars(select(Mention.review)).all()
        assert reviews == ["rejected"]


def test_moving_a_claim_to_another_source_drops_the_old_sources_span(app: Flask, seeded) -> None:
    from claims.models import SourceDocument

    with app.app_context(), session_scope(app) as session:
        claim = _create(session, seeded, text="38 شخصاً قتلوا", span_start=13, span_end=27)
        other = SourceDocument(title="مقال آخر", text="نص مقال آخر طويل بما يكفي " * 5)
        session.add(other)
        session.commit()
        base = {"text": claim.text, "speaker": "بوتين", "span_start": 13, "span_end": 27}
        service.update_claim(session, claim, _user(session),
                             base | {"source_id": other.id, "version": 1})
        session.commit()
        assert (claim.source_id, claim.span_start, claim.span_end) == (other.id, None, None)
        service.update_claim(session, claim, _user(session), base | {  # a span chosen in it
            "source_id": other.id, "span_start": 0, "span_end": 11, "version": 2})
        session.commit()
        assert (claim.span_start, claim.span_end) == (0, 11)
        short = SourceDocument(title="قصير", text="نص قصير")  # the old span would not fit
        session.add(short)
        session.flush()
        service.update_claim(session, claim, _user(session), base | {
            "source_id": short.id, "span_start": 0, "span_end": 11, "version": 3})
        assert (claim.source_id, claim.span_start) == (short.id, None)


@pytest.mark.parametrize(("typed", "expected"), [
    ("الرئيس بوتين", "putin"),  # a title before the name
    ("الرئيس الروسي فلاديمير بوتين", "putin"),  # a demonym in the title is no second entity
    ("وبوتين", "putin"),
    ("الأذربيجاني", "azerbaijan"),  # a demonym typed alone names its place
    ("وزارة الدفاع الأذربيجانية", "unknown_entity"),  # not Azerbaijan: a ministry of it
    ("بوتين وعلييف", "ambiguous_entity"),
])
def test_a_typed_speaker_is_the_entity_it_names_as_a_whole(app: Flask, seeded, typed: str,
                                                           expected: str) -> None:
    from claims.services.entities import resolve_entity

    with app.app_context(), session_scope(app) as session:
        try:
            found = resolve_entity(session, typed, "speaker").id
        except ValidationFailed as exc:
            assert [e.code for e in exc.errors] == [expected]
        else:
            assert found == seeded[expected]
