"""Extraction, speakers and statements on news pages in other outlets' styles than the demo's."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from claims.services.workbench import statement_span
from claims.text.extract import extract_from_html
from claims.text.speakers import detect_speaker

# A saved Anadolu-style page (written for these tests): menus, share links, a cookie banner,
# related headlines, a copyright footer, JSON-LD, og: tags and a canonical link.
ANADOLU = Path(__file__).parent / "data" / "article-anadolu.html"


def _undated(page: str) -> str:
    """The page without any of its publication-date metadata."""
    page = re.sub(r'<meta property="article:published_time"[^>]*>', "", page)
    page = page.replace('"datePublished":"2024-01-31T09:15:00+03:00",', "")
    return page.replace('<time datetime="2024-01-31">31.01.2024</time>', "")


def test_the_anadolu_page_gives_its_body_and_metadata() -> None:
    article = extract_from_html(ANADOLU.read_text(encoding="utf-8"))
    assert (article.title, article.outlet, article.author, article.published, article.url) == (
        "تركيا: ارتفاع عدد السياح إلى 49 مليونا في 2023", "وكالة الأناضول", "أحمد يلدز",
        datetime.date(2024, 1, 31),
        "https://www.aa.com.tr/ar/turkey/tourism-49-million/3100123")
    assert (article.dateline_place, article.agency_code) == ("أنقرة", "Anadolu")
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4 and paragraphs[0].startswith("أنقرة (الأناضول) - أعلن")
    assert paragraphs[-1].endswith("بحسب الوزير.")


def test_a_copyright_year_is_not_a_publication_date() -> None:
    # Without date metadata, the footer's "© 2024" once became 1 January 2024, and with it
    # the date of every claim made from the article.
    page = _undated(ANADOLU.read_text(encoding="utf-8"))
    assert "© 2024" in page
    assert extract_from_html(page).published is None
    # A date the page does state (in its address here) is still found.
    dated = page.replace("tourism-49-million/3100123", "2024/01/30/tourism-49-million")
    assert extract_from_html(dated).published == datetime.date(2024, 1, 30)


# A sentence before each, whose speaker must not be inherited when the sentence names its own.
BEFORE = "وأضاف الوزير أن الصادرات بلغت ٣٫٥ مليار دولار."


@pytest.mark.parametrize(("sentence", "name"), [
    # an abbreviated title with its full stop: د. (doctor), م. (engineer), أ.د. (professor)
    ("وقال د. محمد الصبان، المستشار السابق في وزارة البترول، لرويترز: «إن هذا الخفض أكبر "
     "مما توقعته الأسواق».", "محمد الصبان"),
    ("وأكد م. خالد العتيبي، مدير إحدى شركات الخدمات النفطية، أن القطاع الخاص لن يتأثر.",
     "خالد العتيبي"),
    ("وقالت أ.د. هالة السعيد إن معدل النمو بلغ 4.2 في المئة.", "هالة السعيد"),
    # ولي العهد (crown prince) and خادم الحرمين الشريفين are titles, not a pronoun and a name
    ("وقال ولي العهد الأمير محمد بن سلمان خلال جلسة مجلس الوزراء إن المملكة حققت أهدافها.",
     "محمد بن سلمان"),
    ("أكد خادم الحرمين الشريفين الملك سلمان بن عبد العزيز آل سعود أن المملكة ماضية في "
     "تنفيذ رؤيتها.", "سلمان بن عبد العزيز آل سعود"),
    # a long title before a long name: the name is not cut after "بن"
    ("قال وزير الطاقة السعودي الأمير عبد العزيز بن سلمان يوم الاثنين إن المملكة ستخفض "
     "إنتاجها.", "عبد العزيز بن سلمان"),
    # a title whose complement is coordinated: وزير الثقافة والسياحة
    ("أعلن وزير الثقافة والسياحة التركي محمد نوري أرصوي، الأربعاء، أن عدد السياح بلغ 49.2 "
     "مليون سائح.", "محمد نوري أرصوي"),
], ids=["doctor", "engineer", "professor", "crown-prince", "custodian", "long-title",
        "coordinated-title"])
def test_the_speaker_behind_a_title_is_named(sentence: str, name: str) -> None:
    guess = detect_speaker(sentence, BEFORE)
    assert guess is not None and guess.name == name
    assert sentence[guess.start:guess.end] == name  # found in the sentence, not inherited


@pytest.mark.parametrize(("sentence", "statement"), [
    # the quotation first, then who said it: the claim is the quotation
    ("«سنواصل العمل ليلا ونهارا»، قال وزير المالية محمد الجدعان في تصريح صحفي.",
     "سنواصل العمل ليلا ونهارا"),
    ("“سنعوض العائلات كلها”، قال بوتين للصحفيين.", "سنعوض العائلات كلها"),
    ("\"لن نرفع الأسعار هذا العام\"، أكد م. خالد العتيبي.", "لن نرفع الأسعار هذا العام"),
    # who said it first: the claim follows إن or the colon
    ("وقال د. محمد الصبان، المستشار السابق في وزارة البترول، لرويترز: «هذا الخفض أكبر مما "
     "توقعته الأسواق».", "هذا الخفض أكبر مما توقعته الأسواق"),
], ids=["guillemets", "curly", "straight", "colon"])
def test_the_statement_of_a_quoted_sentence_is_the_quotation(sentence: str,
                                                            statement: str) -> None:
    guess = detect_speaker(sentence)
    start, end = statement_span(sentence, guess, False)
    assert sentence[start:end] == statement
