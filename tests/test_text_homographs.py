"""Homograph guards of entity linking: common words, hamza seats, context, nested places."""

from __future__ import annotations

from claims.text.clitics import clitic_forms
from claims.text.homographs import is_common_word, seats_conflict
from claims.text.linking import AliasEntry, AliasIndex, Match

HAYAT, BAN, IMAM, AHAD, GAZA, GAZA_STRIP, RAMADAN, FIRST, SPAIN, ABBAS, TURKEY = range(1, 12)

INDEX = AliasIndex(
    AliasEntry(i, e, t, "name", "ar", k)
    for i, (e, t, k) in enumerate([
        (HAYAT, "الحياة", "organisation"),
        (BAN, "بان", "person"),
        (IMAM, "إمام", "person"),
        (AHAD, "أحد", "place"),
        (GAZA, "غزة", "place"),
        (GAZA_STRIP, "قطاع غزة", "place"),
        (RAMADAN, "رمضان", "person"),
        (FIRST, "الأول", "other"),
        (SPAIN, "إسبانيا", "place"),
        (ABBAS, "محمود عباس", "person"),
        (TURKEY, "تركيا", "place"),
        (TURKEY + 1, "أحمد التركي", "person"),
    ], start=1)
)


def _links(text: str) -> list[tuple[int, bool]]:
    return [(m.entity_id, m.needs_review) for m in INDEX.find(text)]


def _confident(text: str) -> list[Match]:
    return [m for m in INDEX.find(text) if not m.needs_review]


def test_common_word_alias_alone_is_for_review() -> None:
    assert _links("وعكس صور الحياة اليومية") == [(HAYAT, True)]
    assert is_common_word("الحياه") and is_common_word("حياه") and not is_common_word("بوتين")


def test_common_word_alias_in_context_links() -> None:
    assert _links("ونشرت صحيفة الحياة تقريرا") == [(HAYAT, False)]
    assert _links("كما ذكرت « الحياة » أمس") == [(HAYAT, False)]
    assert _links("وقال رمضان إن الوضع صعب") == [(RAMADAN, False)]
    assert _links("في شهر رمضان") == [(RAMADAN, True)]


def test_definite_word_after_title_is_an_adjective() -> None:
    assert _links("الوزير الأول") == [(FIRST, True)]


def test_title_does_not_reach_past_a_conjunction() -> None:
    index = AliasIndex([AliasEntry(1, 1, "الشعب", "name", "ar", "organisation")])
    assert [m.needs_review for m in index.find("ثورة الملك والشعب")] == [True]


def test_hamza_seat_written_in_the_text_is_not_dropped() -> None:
    assert _confident("وأكد بأن الوضع صعب") == []  # بأن, not the name بان
    assert _confident("عرض خطته أمام المجلس") == []  # أمام, not إمام
    assert seats_conflict("امام", "أمام") is False  # the alias drops the hamza: a match
    assert seats_conflict("إمام", "أمام") is True
    assert seats_conflict("بان", "بأن") is True
    assert seats_conflict("إسبانيا", "أسبانيا") is False  # foreign names vary their seat
    assert [m.entity_id for m in _confident("وبلغ أسبانيا")] == [SPAIN]


def test_common_word_keeps_its_first_letter() -> None:
    assert [f.form for f in clitic_forms("واحد")] == ["واحد"]  # not و + أحد
    assert _links("سعر لتر واحد") == []
    assert "بوتين" in [f.form for f in clitic_forms("وبوتين")]


def test_place_closing_an_idafa_is_also_linked() -> None:
    found = {m.entity_id: (m.start, m.end) for m in _confident("توغل في قطاع غزة أمس")}
    assert set(found) == {GAZA_STRIP, GAZA}
    assert found[GAZA][0] > found[GAZA_STRIP][0] and found[GAZA][1] == found[GAZA_STRIP][1]


def test_short_form_is_not_a_nisba_of_a_known_place() -> None:
    assert _links("قال عباس إن") == [(ABBAS, False)]
    assert _links("فاز الفريق التركي") == []  # التركي of أحمد التركي reads as "Turkish"


def test_a_madda_written_as_its_hamza_is_the_same_name() -> None:
    assert seats_conflict("آسيا", "أسيا") is False  # آسيا written أسيا
    assert seats_conflict("آمن", "أمن") is True  # short native words differ: أمن is not آمن
    index = AliasIndex([AliasEntry(1, 1, "آسيا", "name", "ar", "place")])
    assert [m.needs_review for m in index.find("في جنوب شرق أسيا")] == [False]


def test_a_two_letter_name_links_after_its_kind_noun_or_in_quotes() -> None:
    index = AliasIndex([AliasEntry(1, 1, "شل", "name", "ar", "organisation"),
                        AliasEntry(2, 2, "صن", "name", "ar", "organisation"),
                        AliasEntry(3, 3, "إل", "name", "ar", "other")])
    assert [m.surface for m in index.find("مشروع المتعلق بشركة شل")] == ["شل"]
    assert [m.surface for m in index.find('ونقلت صحيفة " صن " البريطانية')] == ["صن"]
    assert index.find("قال إن شل الحركة") == []  # alone it may be a word (شلّ, paralysed)
    assert index.find('مجلة الـ " تايم "') == []  # الـ is the article, never the name إل


def test_a_reported_speaker_before_qawlihi_is_a_name() -> None:
    assert _links("ونقلت الوكالة عن رمضان قوله إن") == [(RAMADAN, False)]
    assert _links("عن رمضان الماضي") == [(RAMADAN, True)]


def test_more_contexts_that_announce_a_name() -> None:
    index = AliasIndex([AliasEntry(1, 1, "هاجر", "name", "ar", "person"),
                        AliasEntry(2, 2, "يحيى", "name", "ar", "person"),
                        AliasEntry(3, 3, "العربي", "name", "ar", "organisation"),
                        AliasEntry(4, 4, "مالي", "name", "ar", "place"),
                        AliasEntry(5, 5, "رشيد", "name", "ar", "person"),
                        AliasEntry(6, 6, "نادي", "name", "ar", "organisation")])

    def confident(text: str) -> list[str]:
        return [m.surface for m in index.find(text) if not m.needs_review]

    assert confident("ومع أمه هاجر") == ["هاجر"]  # a relative names the person after it
    assert confident("ويقول يحيى إن") == ["يحيى"]  # a verb of saying, present tense too
    assert confident("حيث أنقذ حارس العربي الكرة") == ["العربي"]  # a team's player, keeper
    assert confident("مؤسسا إمبراطورية مالي") == ["مالي"]  # a state's kind noun
    assert confident("والأمير مولاي رشيد") == ["رشيد"]  # a Moroccan honorific title
    assert confident("أعلن مدرب نادي") == []  # a kind noun after a kind noun is no name
    assert confident("دعم مالي كبير") == []
    assert confident("هاجر إلى كندا") == []


def test_demonym_closing_an_organisation_name_also_links_its_country() -> None:
    russia, airline, air_defence, writer = 1, 2, 3, 4
    index = AliasIndex([
        AliasEntry(1, russia, "روسيا", "name", "ar", "place"),
        AliasEntry(2, russia, "روسي", "demonym", "ar", "place"),
        AliasEntry(3, airline, "الخطوط الجوية الروسية", "name", "ar", "organisation"),
        AliasEntry(4, air_defence, "الدفاع الجوي الروسي", "name", "ar", "organisation"),
        AliasEntry(5, writer, "أحمد الروسي", "name", "ar", "person"),
    ])
    found = [(m.entity_id, m.surface, m.is_demonym) for m in index.find(
        "أعلنت الخطوط الجوية الروسية أن الدفاع الجوي الروسي أسقط الطائرة")]
    assert found == [(airline, "الخطوط الجوية الروسية", False), (russia, "الروسية", True),
                     (air_defence, "الدفاع الجوي الروسي", False), (russia, "الروسي", True)]
    # a nisba closing a person's name is part of the name, not news about the country
    assert [m.entity_id for m in index.find("كتب أحمد الروسي مقالا")] == [writer]


def test_maker_opening_a_product_name_is_also_linked() -> None:
    maker, jet = 1, 2
    index = AliasIndex([AliasEntry(1, maker, "إمبراير", "name", "ar", "organisation"),
                        AliasEntry(2, maker, "Embraer", "name", "en", "organisation"),
                        AliasEntry(3, jet, "إمبراير 190", "name", "ar", "other")])
    found = [(m.entity_id, m.surface) for m in index.find("الطائرة إمبراير ١٩٠ أصيبت")]
    assert found == [(jet, "إمبراير ١٩٠"), (maker, "إمبراير")]
    assert [m.entity_id for m in index.find("باعت إمبراير طائرتين")] == [maker]
