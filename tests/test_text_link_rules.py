"""Context rules for homograph names: علي after a preposition, two-letter speakers, a person
named in full, a club with its nationality, quotes and dashes, ى as written, an ellipsis."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.text.link_context import spelled_as_word
from claims.text.linking import AliasEntry, AliasIndex

INDEX = AliasIndex([
    AliasEntry(1, 1, "علي", "name", "ar", "person"),
    AliasEntry(2, 2, "شو", "name", "ar", "person"),
    AliasEntry(3, 3, "لي", "name", "ar", "person"),
    AliasEntry(4, 4, "بي", "name", "ar", "organisation"),
    AliasEntry(5, 5, "إمام", "name", "ar", "person"),
    AliasEntry(6, 6, "الراي", "name", "ar", "organisation"),
    AliasEntry(7, 7, "إعمار", "name", "ar", "organisation"),
    AliasEntry(8, 8, "أحد", "name", "ar", "place"),
    AliasEntry(9, 9, "مبدأ حواء من أجل أنوثة جديدة", "name", "ar", "other"),
    AliasEntry(10, 10, "حواء", "name", "ar", "person"),
    AliasEntry(11, 11, "ليل", "name", "ar", "organisation"),
    AliasEntry(12, 12, "فرنسا", "name", "ar", "place"),
    AliasEntry(13, 13, "الجيش", "name", "ar", "organisation"),
    AliasEntry(14, 14, "أمريكا", "name", "ar", "place"),
    AliasEntry(15, 15, "نبيه بري", "name", "ar", "person"),
    AliasEntry(16, 15, "بري", "name", "ar", "person"),
    AliasEntry(17, 17, "الحسن بن علي", "name", "ar", "person"),
    AliasEntry(18, 18, "الحسن", "name", "ar", "person"),
])


def _links(text: str) -> dict[str, bool]:
    """Surface → confident (True) or offered for review (False)."""
    return {m.surface: not m.needs_review for m in INDEX.find(text)}


# -- علي: the name, or the preposition على as many writers type it -------------------------

@pytest.mark.parametrize("text", [
    "ولكن عدداً من أبنائها كانوا مع علي في الكوفة",
    "حيث يعتقدون بالإمامة المتمثلة في علي وأحد عشر من أبنائه",
    "وروي عن علي أنه قال",
    "وفي علي قال الشاعر قصيدته",
])
def test_ali_right_after_another_preposition_is_the_name(text: str) -> None:
    assert _links(text).get("علي") is True


@pytest.mark.parametrize("text", [
    "وحصل علي الموافقة بعد شهر",  # a verb and its preposition
    "ووقف الخطيب من علي المنبر",  # من على is good Arabic
    "يبذلها المجلس للحصول على على موافقة الخرطوم",  # a word typed twice
    "أكد علي ضرورة الحوار",
])
def test_ali_as_the_preposition_is_not_linked(text: str) -> None:
    assert "علي" not in _links(text) and "على" not in _links(text)


def test_ali_written_with_alef_maqsura_by_a_writer_who_keeps_ya_apart() -> None:
    # في, الماسة … with ي: this writer's على (with ى) is the preposition, even after a title
    assert "على" not in _links("اتفق مع جلالة الملك على الحاجة الماسة في المنطقة")
    assert _links("اتفق مع جلالة الملك علي في المنطقة") == {"علي": True}
    # a writer who puts ى on every final ي (فى) writes the name that way too
    assert _links("قتل الإمام على فى مسجد الكوفة") == {"على": True}


def test_spelled_as_word_needs_a_final_alef_maqsura_and_a_final_ya_elsewhere() -> None:
    assert spelled_as_word("الملك على الحاجة في المنطقة", "على", "علي")
    assert not spelled_as_word("الملك على الحاجة فى المنطقة", "على", "علي")
    assert not spelled_as_word("الإمام علي في الكوفة", "علي", "علي")
    assert not spelled_as_word("مصطفى في القاهرة", "مصطفى", "مصطفى")  # the alias has ى
    assert spelled_as_word("الملك علىّ في القاهرة", "علىّ", "عليّ")  # marks are skipped


# -- two-letter names --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "وقال شو في خطاب أمام الأمم المتحدة",
    "وأوضح شو أن مساهمة الشركة في السوق لا تتعدى الربع",
])
def test_a_two_letter_person_after_a_verb_of_saying_is_the_speaker(text: str) -> None:
    assert _links(text) == {"شو": True}


@pytest.mark.parametrize("text", [
    "وقال لي إنه سيعود غدا",  # "he told me": a function word, not the name لي
    "وقال بي إن الشركة ستعود",  # بي is an organisation, not a speaker
    "ثم شو ذلك",  # no verb of saying
])
def test_a_two_letter_word_after_other_words_is_not_linked(text: str) -> None:
    assert _links(text) == {}


# -- quotes, dashes and kind nouns --------------------------------------------------------

@pytest.mark.parametrize("text", [
    "ولد في العام نفسه الذي ولد فيه الحاج » إمام « ، كما أن كليهما من الطبقة الوسطى",
    "ولد فيه الحاج « إمام » في القاهرة",
])
def test_guillemets_either_way_round_quote_a_name(text: str) -> None:
    assert _links(text) == {"إمام": True}


def test_a_pair_of_dashes_sets_a_name_apart_like_brackets() -> None:
    assert _links("محيط - الراي - قرر عدد من نجوم السينما") == {"الراي": True}
    assert _links("محيط – الراي – قرر عدد من نجوم السينما") == {"الراي": True}
    assert _links("قال إن الراي - في رأيه - خاطئ") == {"الراي": False}


def test_a_share_names_its_company_and_a_raid_its_battle() -> None:
    assert _links("وتصدر سهم إعمار قائمة الأسهم الأنشط") == {"إعمار": True}
    assert _links("كان في غزوة أحد قائد ميمنة المسلمين") == {"أحد": True}
    assert _links("وصل أحد المسؤولين أمس") == {"أحد": False}


def test_an_ellipsis_inside_a_title_joins_its_words() -> None:
    for gap in (" . . ", " .. ", "… ", " ... "):
        text = f'صدر كتاب بعنوان " مبدأ حواء{gap}من أجل أنوثة جديدة " للكاتبة'
        surfaces = [m.surface for m in INDEX.find(text)]
        assert surfaces == [f"مبدأ حواء{gap}من أجل أنوثة جديدة"], surfaces


# -- a club with its nationality, a person named in full --------------------------------------

def test_an_indefinite_homograph_with_a_nationality_is_a_name() -> None:
    assert _links("وفي المجموعة ذاتها تعادل ليل الفرنسي مع ميلان") == {"ليل": True}
    assert _links("تعادل ليل الفرنسية مع ميلان") == {"ليل": True}


@pytest.mark.parametrize("text", [
    "وأعلن الجيش الأمريكي وفاة جندي",  # definite: a noun and its adjective
    "سهرنا ليل الأحد حتى الفجر",  # الأحد is no nisba of a place
    "سهرنا ليل الطويل",  # nor is الطويل
])
def test_a_homograph_with_other_words_after_it_stays_for_review(text: str) -> None:
    assert set(_links(text).values()) == {False}


@pytest.mark.parametrize(("text", "short"), [
    ("استقبل نبيه بري الوفد أمس ، ثم التقى بري السفير", "بري"),
    ("بري يلتقي الوفد . استقبل رئيس المجلس نبيه بري الوفد", "بري"),
    ("عهد بالبيعة لابنه الحسن بن علي ثم خرج ليلحق بالحسن", "الحسن"),
])
def test_a_person_named_in_full_is_then_called_by_one_name(text: str, short: str) -> None:
    links = _links(text)
    assert links[short] is True, links


def test_a_one_word_homograph_without_the_full_name_stays_for_review() -> None:
    assert _links("ثم التقى بري السفير") == {"بري": False}
    assert _links("وحكم القاضي بالحسن من الأقوال") == {"الحسن": False}


# -- the benchmark's sentence split ------------------------------------------------------

def test_a_full_stop_inside_a_gold_name_does_not_end_the_sentence(tmp_path: Path) -> None:
    from bench.entity_search import read_corpus

    corpus = tmp_path / "anercorp.txt"
    corpus.write_text("\n".join([
        "مكتب O", "( O", "إف B-ORG", ". I-ORG", "بي I-ORG", ". I-ORG", "آي I-ORG", ") O",
        "يحقق O", ". O", "وقال O", "بوش B-PERS", ". O",
    ]) + "\n", encoding="utf-8")
    sentences, spans = read_corpus(corpus, None)
    assert [len(s) for s in sentences] == [10, 3]
    assert spans == [[(2, 7, "ORG")], [(1, 2, "PERS")]]


# -- compound family names ----------------------------------------------------------------

def test_a_compound_family_name_is_the_short_form_not_its_last_word() -> None:
    index = AliasIndex([
        AliasEntry(1, 1, "حسن نصر الله", "name", "ar", "person"),
        AliasEntry(2, 2, "حزب الله", "name", "ar", "organisation"),
        AliasEntry(3, 3, "صلاح الدين البيطار", "name", "ar", "person"),
        AliasEntry(4, 4, "نور الدين", "name", "ar", "person"),
    ])
    # الله is God, not Nasrallah: "الله أكبر", a blessing, the ﷲ ligature copied from a PDF.
    for text in ("الله أكبر", "قال النبي صلى الله عليه وسلم", "ﷲ", "إن شاء الله",
                 "عبد الله", "في صلاح الدين"):
        assert index.find(text) == [], text
    assert [(m.entity_id, m.surface) for m in index.find("وقال نصر الله إن")] == [
        (1, "نصر الله")]
    assert [m.entity_id for m in index.find("أعلن حزب الله")] == [2]
    assert [(m.entity_id, m.surface) for m in index.find("قال البيطار")] == [(3, "البيطار")]
