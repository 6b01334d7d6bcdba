"""Context that settles a homograph: a list of names, a month outside a date, a proclitic head."""

from __future__ import annotations

import pytest

from claims.text.linking import AliasEntry, AliasIndex

INDEX = AliasIndex([
    AliasEntry(1, 1, "نيسان", "name", "ar", "organisation"),
    AliasEntry(2, 2, "مكة", "name", "ar", "place"),
    AliasEntry(3, 3, "المدينة", "name", "ar", "place"),
    AliasEntry(4, 4, "الشيعة", "name", "ar", "organisation"),
    AliasEntry(5, 5, "السنة", "name", "ar", "organisation"),
    AliasEntry(6, 6, "غزة", "name", "ar", "place"),
    AliasEntry(7, 7, "قطاع غزة", "name", "ar", "place"),
    AliasEntry(8, 8, "بوتين", "name", "ar", "person"),
])


def _links(text: str) -> dict[str, bool]:
    """Surface → confident (True) or offered for review (False)."""
    return {m.surface: not m.needs_review for m in INDEX.find(text)}


@pytest.mark.parametrize("text", [
    "وصلت قافلة نيسان للدفع الرباعي إلى جدة",
    "وتضم مركبة نيسان أورفان مواصفات جديدة",
    "أعلنت شركة نيسان أمس عن طراز جديد",
])
def test_a_month_name_between_ordinary_words_is_the_name(text: str) -> None:
    assert _links(text) == {"نيسان": True}


@pytest.mark.parametrize("text", [
    "وقع الهجوم في 12 نيسان الماضي",
    "من أبريل / نيسان إلى يونيو",
    "توفي في 18 نيسان ( أبريل ) 1955",
    "حتى نيسان المقبل على الأقل",
    "قبل نيسان بأسبوع",
])
def test_a_month_name_in_a_date_is_not_linked_with_confidence(text: str) -> None:
    assert _links(text).get("نيسان", False) is False


@pytest.mark.parametrize(("text", "name"), [
    ("وكانت مكة والمدينة مركزين للتجارة", "المدينة"),
    ("ضد قوى الهامش - السنة والشيعة - داخل العراق", "السنة"),
    ("زار مكة ، المدينة ثم عاد", "المدينة"),
])
def test_a_homograph_listed_with_a_name_of_its_kind_is_a_name(text: str, name: str) -> None:
    links = _links(text)
    assert links.get(name) is True or links.get("و" + name) is True, links


def test_a_homograph_beside_a_name_of_another_kind_stays_for_review() -> None:
    # بوتين is a person: a list with him says nothing about المدينة the place
    links = _links("التقى بوتين والمدينة تستعد للقمة")
    assert links.get("المدينة", links.get("والمدينة")) is False


def test_a_place_closing_a_name_after_a_proclitic_head_is_linked_too() -> None:
    # وقطاع غزة as قطاع غزة: the head noun carries و, the place غزة is still mentioned
    found = {m.entity_id for m in INDEX.find("في الضفة الغربية وقطاع غزة")}
    assert found == {6, 7}


@pytest.mark.parametrize("text", [
    "طراز عام 2007 من « نيسان أورفان » الجديد",
    "تقدم نيسان « أورفان » الجديد",
])
def test_a_month_name_beside_a_quotation_mark_names_what_is_quoted(text: str) -> None:
    assert _links(text) == {"نيسان": True}


def test_names_either_side_of_a_slash_are_one_list() -> None:
    index = AliasIndex([AliasEntry(1, 1, "فولكسفاغن", "name", "ar", "organisation"),
                        AliasEntry(2, 2, "أودي", "name", "ar", "organisation")])
    links = {m.surface: not m.needs_review for m in index.find("باعت فولكسفاغن / أودي")}
    assert links == {"فولكسفاغن": True, "أودي": True}
    assert [m.needs_review for m in index.find("الحادث أودي بحياة")] == [True]
