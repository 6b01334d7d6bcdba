"""Tests for the pure text side of ingest: extraction, sentences, check-worthiness, speakers."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.text.checkworthy import REASONS, rank_sentences, score_sentence
from claims.text.extract import extract_from_html, extract_from_text, parse_dateline
from claims.text.sentences import Sentence, split_sentences
from claims.text.speakers import detect_speaker

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "article-ar.txt"
HTML_PAGE = Path(__file__).parent / "data" / "article-ar.html"

needs_seed = pytest.mark.skipif(
    not SEED.is_file(), reason=f"demo article not found at {SEED} (../shared is absent)"
)


@pytest.fixture(scope="module")
def raw_article() -> str:
    if not SEED.is_file():
        pytest.skip(f"demo article not found at {SEED} (../shared is absent)")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article_sentences(raw_article: str) -> list[Sentence]:
    return split_sentences(extract_from_text(raw_article).text)


def _find(sentences: list[Sentence], fragment: str) -> int:
    hits = [i for i, s in enumerate(sentences) if fragment in s.text]
    assert len(hits) == 1, f"{fragment!r} found in {len(hits)} sentences"
    return hits[0]


# --- extraction ---------------------------------------------------------------------------


@needs_seed
def test_extract_from_text_drops_exactly_the_two_trailing_lines(raw_article: str) -> None:
    article = extract_from_text(raw_article)
    lines = raw_article.rstrip("\n").split("\n")
    assert lines[-2:] == ["شاركها.", "Exit mobile version"]
    expected = "\n".join(lines[:-2]).strip()
    assert article.text == expected
    assert "شاركها" not in article.text and "Exit mobile" not in article.text
    assert article.text.startswith("موسكو (أ ف ب) – قال الرئيس")
    assert article.text.endswith("متبادلة المنفعة”.")


@needs_seed
def test_extract_from_text_parses_the_dateline(raw_article: str) -> None:
    article = extract_from_text(raw_article)
    assert article.dateline_place == "موسكو"
    assert article.dateline_agency == "أ ف ب"
    assert article.agency_code == "AFP"
    assert article.language == "ar"
    assert article.title is None  # the .txt has no headline line


def test_extract_from_text_handles_chrome_and_title() -> None:
    raw = (
        "عنوان الخبر هنا\r\n"
        "القاهرة - أ ش أ: قال الوزير إن الصادرات ارتفعت 5 بالمئة.\n"
        "اقرأ أيضاً: خبر آخر لا علاقة له\n"
        "وأضاف أن الحكومة ستواصل دعم المصدرين.\n"
        "شارك على فيسبوك\n"
        "فيسبوك تويتر واتساب\n"
        "تابعنا على تلغرام\n"
        "\u202bجميع الحقوق محفوظة © 2025\n"
    )
    article = extract_from_text(raw)
    assert article.title == "عنوان الخبر هنا"
    assert article.text == (
        "القاهرة - أ ش أ: قال الوزير إن الصادرات ارتفعت 5 بالمئة.\n\n"
        "وأضاف أن الحكومة ستواصل دعم المصدرين."
    )
    assert (article.dateline_place, article.agency_code) == ("القاهرة", "MENA")


@pytest.mark.parametrize(
    ("text", "place", "agency", "prefix"),
    [
        ("موسكو (أ ف ب) – قال", "موسكو", "أ ف ب", "موسكو (أ ف ب) – "),
        ("باريس (ا ف ب) - أعلنت", "باريس", "ا ف ب", "باريس (ا ف ب) - "),
        ("دبي، 5 مايو (رويترز) — قال", "دبي", "رويترز", "دبي، 5 مايو (رويترز) — "),
        ("أنقرة (الأناضول): قال", "أنقرة", "الأناضول", "أنقرة (الأناضول): "),
        ("الرياض (واس) – أكد", "الرياض", "واس", "الرياض (واس) – "),
        ("القاهرة - أ ش أ: قال", "القاهرة", "أ ش أ", "القاهرة - أ ش أ: "),
        ("برلين (د ب أ) - ذكرت", "برلين", "د ب أ", "برلين (د ب أ) - "),
        ("(أ ب) - قال", None, "أ ب", "(أ ب) - "),
        ("الطائرة (إمبراير) أصيبت بنيران", None, None, ""),
        ("قال الرئيس إن 38 شخصا قتلوا", None, None, ""),
    ],
)
def test_parse_dateline(text: str, place: str | None, agency: str | None, prefix: str) -> None:
    got_place, got_agency, length = parse_dateline(text)
    assert (got_place, got_agency, text[:length]) == (place, agency, prefix)


def test_extract_from_html_metadata_without_shared_data() -> None:
    article = extract_from_html(HTML_PAGE.read_text(encoding="utf-8"))
    assert article.title == "بوتين يقر بمسؤولية الدفاع الجوي الروسي عن إسقاط الطائرة الأذربيجانية"
    assert article.outlet == "أخبار الشرق"
    assert article.author == "سارة المنصوري"
    assert article.published == datetime.date(2025, 10, 9)
    assert article.url == "https://akhbar-alsharq.example/2025/10/09/putin-azerbaijan-plane/"
    assert article.language == "ar"
    assert (article.dateline_place, article.dateline_agency, article.agency_code) == (
        "موسكو", "أ ف ب", "AFP",
    )
    for chrome in ("شاركها", "Exit mobile", "اقرأ أيضا", "جميع الحقوق", "الأكثر قراءة",
                   "تويتر", "مقالات ذات صلة", "أسعار النفط"):
        assert chrome not in article.text


@pytest.mark.parametrize("comment", [
    "<!-- saved from url=(0049)https://news.example/2025/10/09/putin-plane.html -->",
    "<!--\n Page saved with SingleFile \n url: https://news.example/2025/10/09/putin-plane.html"
    " \n saved date: Thu Oct 09 2025 16:05:12 GMT+0300\n-->",
])
def test_a_saved_page_without_metadata_keeps_the_address_its_browser_recorded(
        comment: str) -> None:
    page = (f"{comment}\n<html><head><title>خبر</title></head><body><article>"
            "<p>موسكو (أ ف ب) – قال الرئيس فلاديمير بوتين إن الدفاع الجوي الروسي هو المسؤول."
            "</p></article></body></html>")
    assert extract_from_html(page).url == "https://news.example/2025/10/09/putin-plane.html"
    canonical = page.replace("<title>", '<link rel="canonical" href="https://news.example/a">'
                             "<title>")
    assert extract_from_html(canonical).url == "https://news.example/a"  # the page's own word


def test_extract_from_html_survives_a_deeply_nested_jsonld_block() -> None:
    page = HTML_PAGE.read_text(encoding="utf-8").replace(  # before the page's own block
        "<head>", '<head><script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000
        + "</script>", 1)
    article = extract_from_html(page)
    assert article.outlet == "أخبار الشرق" and "بوتين" in article.text


@needs_seed
def test_extract_from_html_gives_the_same_body_as_the_text(raw_article: str) -> None:
    from_html = extract_from_html(HTML_PAGE.read_text(encoding="utf-8"))
    assert from_html.text == extract_from_text(raw_article).text



def test_the_headline_is_not_body_text_when_only_the_page_title_names_it() -> None:
    page = HTML_PAGE.read_text(encoding="utf-8")
    headline = "بوتين يقر بمسؤولية الدفاع الجوي الروسي عن إسقاط الطائرة الأذربيجانية"
    social = "بوتين يعترف: صواريخنا أسقطت الطائرة"  # og:title and JSON-LD differ from the <h1>
    other = page.replace(f'content="{headline}"', f'content="{social}"').replace(
        f'"headline": "{headline}"', f'"headline": "{social}"')
    assert f"<title>{headline} - " in other and f"entry-title\">{headline}</h1>" in other
    article = extract_from_html(other)
    assert article.title == social and article.text == extract_from_html(page).text
    assert article.text.startswith("موسكو (أ ف ب)")


# --- sentences ----------------------------------------------------------------------------


def test_split_sentences_punctuation_numbers_and_abbreviations() -> None:
    text = (
        "قال د. أحمد إن النسبة بلغت 2.5 بالمئة؛ وارتفعت إلى ٣٫٥ في المئة. "
        "وبلغ العدد 1,200 شخص في U.S. وغيرها؟ نعم!\n"
        "نقلت (أ ف ب) الخبر… ثم انتهى"
    )
    got = [s.text for s in split_sentences(text)]
    assert got == [
        "قال د. أحمد إن النسبة بلغت 2.5 بالمئة؛",
        "وارتفعت إلى ٣٫٥ في المئة.",
        "وبلغ العدد 1,200 شخص في U.S. وغيرها؟",
        "نعم!",
        "نقلت (أ ف ب) الخبر…",
        "ثم انتهى",
    ]


def test_split_sentences_keeps_quotes_with_their_sentence() -> None:
    text = "وقال: “أود أن أشكرك. هذا مهم”. ثم غادر. وأضاف «نعم؟» وسكت.\n\nفقرة ثانية."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "وقال: “أود أن أشكرك. هذا مهم”.",
        "ثم غادر.",
        "وأضاف «نعم؟» وسكت.",
        "فقرة ثانية.",
    ]
    assert [s.paragraph for s in sentences] == [0, 0, 0, 1]


def test_split_sentences_unclosed_quote_does_not_swallow_the_paragraph() -> None:
    got = [s.text for s in split_sentences("قال “هذا خطأ. ثم ذهب. وانتهى.")]
    assert got == ["قال “هذا خطأ.", "ثم ذهب.", "وانتهى."]


def test_split_sentences_past_a_bidi_mark_after_the_stop() -> None:
    # Word and many sites put a right-to-left mark after punctuation: it ends no sentence
    # less, and a sentence neither starts nor ends with an invisible mark.
    text = "سقط 5 قتلى.\u200f وأصيب 10 آخرون؟\u200e\u200f «ونجا 12».\u200f ثم \u200fانتهى."
    assert [s.text for s in split_sentences(text)] == [
        "سقط 5 قتلى.", "وأصيب 10 آخرون؟", "«ونجا 12».", "ثم \u200fانتهى."]
    assert [s.text for s in split_sentences("\u200fقال بوتين.\u200f")] == ["قال بوتين."]


@needs_seed
def test_demo_article_sentences(article_sentences: list[Sentence]) -> None:
    assert len(article_sentences) == 27
    assert article_sentences[0].text.endswith("بين الجارتين.")
    third = "وكانت الطائرات بدون طيار الأوكرانية تضرب بانتظام عمق روسيا."
    assert article_sentences[2].text == third
    assert max(s.paragraph for s in article_sentences) == 20


@given(st.text(alphabet=st.sampled_from(list("ab قال٣5.,!?؟؛…“”«»\"\n :")), max_size=80))
def test_split_sentences_offsets_are_faithful(text: str) -> None:
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        previous_end = s.end


# --- check-worthiness ---------------------------------------------------------------------


TARGETS = {
    "38 of 67 died": "وقتلت 38 من أصل 67 شخصا",
    "two missiles exploded 10 metres from the airliner": "صاروخين انفجرا على بعد 10 أمتار",
    "2021 census: half a million, up to 2 million": "وأدرج تعداد عام 2021",
    "Rahmon in power almost 33 years": "منذ ما يقرب من 33 عامًا",
    "more than a million Tajiks work in Russia": "أكثر من مليون مواطن طاجيكي",
    "downed plane killed 38": "أودى بحياة 38 شخصاً",
    "Putin: Russian air defence responsible": "إن الدفاع الجوي الروسي هو المسؤول",
    "missiles aimed at a Ukrainian drone": "لاستهداف طائرة أوكرانية بدون طيار",
    "Turkey became a main economic partner": "أصبحت شريكًا اقتصاديًا رئيسيًا لروسيا",
}
DEMO_CLAIMS = ROOT / "claims" / "demo" / "claims.toml"


@needs_seed
def test_demo_article_targets_rank_in_the_top_third(article_sentences: list[Sentence]) -> None:
    ranked = rank_sentences(article_sentences)
    order = [sentence for sentence, _ in ranked]
    cutoff = len(order) / 3
    for label, fragment in TARGETS.items():
        index = _find(article_sentences, fragment)
        rank = order.index(article_sentences[index]) + 1
        assert rank <= cutoff, f"{label}: rank {rank} of {len(order)}"


def test_every_demo_claim_ranks_in_the_top_third() -> None:
    # The article shipped with the demo (no ../shared needed) and every claim made from it.
    text = (ROOT / "claims" / "demo" / "article-ar.txt").read_text(encoding="utf-8")
    sentences = split_sentences(text)
    order = [s for s, _ in rank_sentences(sentences)]
    quotes = [c["quote"] for c in tomllib.loads(DEMO_CLAIMS.read_text("utf-8"))["claim"]]
    assert len(quotes) >= 9
    for quote in quotes:
        rank = order.index(sentences[_find(sentences, quote)]) + 1
        assert rank <= len(order) / 3, f"{quote[:40]}…: rank {rank} of {len(order)}"


@pytest.mark.parametrize(
    ("sentence", "reasons"),
    [
        # States acting on each other, with a ranking ("main partner"): no number needed.
        ("وأصبحت الصين الشريك التجاري الرئيسي لألمانيا بعد تراجع الصادرات الأمريكية.",
         {"entity", "superlative", "comparison"}),
        ("واتهمت طهران واشنطن بالوقوف وراء الهجوم على المنشأة.", {"entity", "attribution"}),
        ("ويحظى الاتحاد الأوروبي بأهمية متزايدة بالنسبة لأنقرة.", {"entity", "comparison"}),
    ],
)
def test_checkable_sentences_without_numbers_score_above_plain_ones(
    sentence: str, reasons: set[str]
) -> None:
    score = score_sentence(sentence)
    assert reasons <= set(score.reasons), score.reasons
    plain = score_sentence("وتضررت كل هذه العلاقات مع تصاعد التوترات.")
    narrative = score_sentence("وبعد أيام من الحادث، التقى الرجلان مرة أخرى في المساء.")
    assert score.value >= 2.0 > max(plain.value, narrative.value)


def test_score_reasons() -> None:
    score = score_sentence("وأدرج تعداد عام 2021 حوالي نصف مليون من العرق الأذربيجاني.")
    assert {"quantity", "statistic", "date"} <= set(score.reasons)
    score = score_sentence("قال الرئيس إن أكثر من مليون مواطن يعملون في أكبر مدن روسيا.")
    assert {"quantity", "attribution", "entity", "comparison", "superlative"} <= set(
        score.reasons
    )
    assert "quote" in score_sentence("وأضاف: “هذا يوم تاريخي لبلدنا كله”.").reasons
    assert set(score_sentence("وفقا لوزارة الصحة ارتفعت النسبة إلى 12%.").reasons) >= {
        "attribution", "statistic", "quantity",
    }
    assert all(r in REASONS for r in score.reasons)


def test_score_ordering_and_hints() -> None:
    fact = score_sentence("قتل 38 شخصا من أصل 67 كانوا على متن الطائرة.")
    opinion = score_sentence("وقال: “آمل أن تتحسن العلاقات بيننا”.")
    assert fact.value > opinion.value
    plain = score_sentence("وتضررت كل هذه العلاقات مع تصاعد التوترات.")
    hinted = score_sentence("وتضررت كل هذه العلاقات مع تصاعد التوترات.", entity_count=2)
    assert plain.reasons == () and "entity" in hinted.reasons and hinted.value > plain.value
    # A year or a day of the month is a date, not a quantity.
    assert "quantity" not in score_sentence("عقد الاجتماع في 25 ديسمبر 2024 في باكو.").reasons


def test_rank_sentences_uses_entity_hints_and_keeps_ties_in_order() -> None:
    sentences = split_sentences("جملة أولى عادية هنا الآن. جملة ثانية عادية هنا الآن.")
    ranked = rank_sentences(sentences)
    assert [s for s, _ in ranked] == sentences
    ranked = rank_sentences(sentences, entity_counts={1: 3})
    assert ranked[0][0] == sentences[1]


# --- speakers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "name", "cue"),
    [
        ("قال بوتين إن روسيا مستعدة.", "بوتين", "قال"),
        ("وقال الرئيس فلاديمير بوتين يوم الخميس إن الدفاع الجوي مسؤول.", "فلاديمير بوتين", "وقال"),
        ("وقالت السلطات الأذربيجانية إن الطائرة أصيبت.", "السلطات الأذربيجانية", "وقالت"),
        ("وأضاف بوتين: “بالطبع، هذه الكلمات لا تحل المشكلة”.", "بوتين", "وأضاف"),
        ("“سنعوض العائلات”، قال بوتين.", "بوتين", "قال"),
        ("«سنرد بقوة»، قال الرئيس الروسي فلاديمير بوتين للصحفيين.", "فلاديمير بوتين", "قال"),
        ("بحسب وزارة الدفاع، أسقطت 12 طائرة مسيرة.", "وزارة الدفاع", "بحسب"),
        ("وفقًا لوزارة الصحة، توفي خمسة أشخاص.", "وزارة الصحة", "وفقًا"),
        ("وفقا لـ الأمم المتحدة فإن العدد ارتفع.", "الأمم المتحدة", "وفقا"),
        ("قال وزير الخارجية الروسي سيرغي لافروف إن المحادثات بناءة.", "سيرغي لافروف", "قال"),
        ("وقال المتحدث باسم الكرملين دميتري بيسكوف للصحفيين إن", "دميتري بيسكوف", "وقال"),
        ("بوتين قال إن الحادث مأساوي.", "بوتين", "قال"),
        # subject first, then a stance verb: the name after the verb is its object
        ("علييف في هذه الأثناء انتقدت موسكو لمحاولته “التكتم” على الحادث.", "علييف", "انتقدت"),
        ("علييف انتقد موسكو بشدة.", "علييف", "انتقد"),
        ("بوتين، من جهته، قال إن الحادث مأساوي.", "بوتين", "قال"),
        ("الأسبوع الماضي انتقد بوتين العقوبات الغربية.", "بوتين", "انتقد"),  # a time, no subject
        ("ومن جانبه، شكر علييف بوتين على التحقيق.", "علييف", "شكر"),
    ],
)
def test_detect_speaker(sentence: str, name: str, cue: str) -> None:
    guess = detect_speaker(sentence)
    assert guess is not None
    assert (guess.name, guess.cue) == (name, cue)
    assert sentence[guess.start:guess.end] == name
    assert 0 < guess.confidence <= 1


def test_detect_speaker_ignores_verbs_inside_quotes_and_plain_sentences() -> None:
    assert detect_speaker("وتعد أذربيجان ممر نقل رئيسي للتجارة الروسية.") is None
    assert detect_speaker("وأضاف: “قال لي أحدهم إن الأمر انتهى”.") is None


def test_detect_speaker_inherits_from_previous_with_lower_confidence() -> None:
    previous = "وفي حديثه إلى علييف يوم الخميس، قال بوتين إن الدفاعات أطلقت النار."
    guess = detect_speaker("وأضاف: “من الواضح أن الجانب الروسي سيبذل قصارى جهده”.", previous)
    direct = detect_speaker(previous)
    assert guess is not None and direct is not None
    assert guess.name == "بوتين" and guess.cue == "وأضاف"
    assert guess.confidence < direct.confidence
    assert previous[guess.start:guess.end] == "بوتين"  # offsets point into ``previous``
    assert detect_speaker("وقال: “أود أن أشكرك”.") is None  # no previous, no guess


@needs_seed
def test_detect_speaker_on_demo_article(article_sentences: list[Sentence]) -> None:
    texts = [s.text for s in article_sentences]

    def speaker(fragment: str) -> str | None:
        i = _find(article_sentences, fragment)
        guess = detect_speaker(texts[i], texts[i - 1] if i else None)
        return guess.name if guess else None

    assert speaker("أودى بحياة 38 شخصاً") == "فلاديمير بوتين"
    assert speaker("وقال بوتين إن الصواريخ") == "بوتين"
    assert speaker("وقتلت 38 من أصل 67") == "السلطات الأذربيجانية"
    assert speaker("صاروخين انفجرا") == "بوتين"
    assert speaker("من الواضح أن الجانب الروسي") == "بوتين"  # "وأضاف:" inherits
    assert speaker("هذه الكلمات المتعلقة") == "بوتين"
    assert speaker("أود أن أشكرك") == "علييف"  # "وقال:" after "شكر علييف بوتين"
    assert speaker("انتقدت موسكو لمحاولته") == "علييف"  # not Moscow, the one criticised
    assert speaker("آمل ألا يتم استعادة") == "بوتين"
    assert speaker("تعتزم بقوة تعزيز") == "بوتين"
    assert speaker("وتعد أذربيجان ممر نقل") is None


@needs_seed
def test_extract_from_html_fallback_parser_agrees(
    raw_article: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stdlib fallback (used when trafilatura cannot be imported) gives the same result.
    from claims.text import extract

    monkeypatch.setattr(extract, "_trafilatura", lambda html, url: (None, {}))
    article = extract.extract_from_html(HTML_PAGE.read_text(encoding="utf-8"))
    assert article.text == extract_from_text(raw_article).text
    assert (article.outlet, article.author) == ("أخبار الشرق", "سارة المنصوري")
