"""Quantity extraction from Arabic claim text: every supported form, plus the gold-set F1."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from claims.text.numbers import parse_digits, parse_number, tokenize
from claims.text.quantities import Quantity, extract_quantities, same_unit
from claims.text.quantity_lexicon import may_start, scan

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT.parent / "shared" / "seed" / "article-ar.txt"


def one(text: str) -> Quantity:
    """The single quantity in ``text``; fails loudly when there are more or fewer."""
    found = extract_quantities(text)
    assert len(found) == 1, [q.surface for q in found]
    return found[0]


@pytest.mark.parametrize("text", ["", " \t\n", "  أكثر من 2,500 شخصٍ… ", "S-300 و٣٫٥% abc",
                                  "قُتِلَ ثلاثةٌ\u00a0وعشرون مدنياً في 25 ديسمبر/كانون الأول 2024.",
                                  "ﻗﺘﻞ \u200e٣٨\u200f ﺷﺨﺼﺎ ﷲ ﻻ ﷺ شخ\u200cص \u200d"])
def test_scan_is_tokenize_with_candidates(text: str) -> None:
    toks, starts = scan(text)
    assert toks == tokenize(text)
    assert starts == [k for k, t in enumerate(toks)
                      if t.kind == "num" or (t.kind == "word" and may_start(t.key))]
    assert all(text[t.start:t.end] == text[t.off(0):t.off(len(t.key))] for t in toks)


def test_offsets_point_into_the_original_text() -> None:
    text = "أودى  بحياة 38 شخصاً، وهو"
    q = one(text)
    assert text[q.start:q.end] == q.surface == "38 شخصاً"
    assert (q.value, q.unit, q.kind) == (38, "person", "quantity")


@pytest.mark.parametrize(("raw", "value"), [
    ("2.5", 2.5), ("٣٫٥", 3.5), ("1,200", 1200), ("١٬٢٠٠", 1200), ("۱۲۰۰۰", 12000),
    ("1,200.5", 1200.5), ("1.200.000", 1200000), ("9,5", 9.5),
])
def test_digit_strings_in_every_script(raw: str, value: float) -> None:
    assert parse_digits(tokenize(raw)[0].key) == value


@pytest.mark.parametrize(("words", "value"), [
    ("ثلاثة", 3), ("أحد عشر", 11), ("اثنتي عشرة", 12), ("عشرين", 20),
    ("خمسة وثمانين", 85), ("مئة وخمسون", 150), ("مئتي", 200), ("ثلاثمائة", 300),
    ("ثلاث مئة", 300), ("خمسمائة ألف", 500000), ("ثلاثة آلاف", 3000), ("ألفين", 2000),
    ("مليونين", 2e6), ("ملياري", 2e9), ("ثلاثة وعشرين ألف", 23000), ("نصف مليون", 5e5),
    ("2 مليون", 2e6), ("1.5 مليار", 1.5e9), ("مليون و800 ألف", 1.8e6),
    ("7 آلاف و500", 7500), ("4 ملايين ونصف", 4.5e6), ("عشرات الآلاف", 1e4),
])
def test_number_words(words: str, value: float) -> None:
    parsed = parse_number(tokenize(words), 0)
    assert parsed is not None and parsed.value == pytest.approx(value)


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("أصيب ثلاثة أشخاص", 3, "person"), ("سقط 20 قتيلا", 20, "person"),
    ("سقط 7 قتلى", 7, "person"), ("نقل 5 ضحايا", 5, "person"), ("قتل 2 راكب", 2, "person"),
    ("سجل 1,200 عامل", 1200, "person"), ("شارك 300 ألف مواطن", 3e5, "citizen"),
    ("أطلق ١٢ صاروخا", 12, "missile"), ("اشترت ٢٥ طائرة", 25, "aircraft"),
    ("ارتفاع 828 مترا", 828, "metre"), ("على بعد 800 م", 800, "metre"),
    ("على بعد 25 كم", 25, "kilometre"), ("منذ 23 عاماً", 23, "year"),
    ("منذ 33 عامًا", 33, "year"), ("خلال 10 سنوات", 10, "year"), ("منذ ٣ أشهر", 3, "month"),
    ("مدة 15 يوما", 15, "day"), ("مهلة 24 ساعة", 24, "hour"), ("في 3 أسابيع", 3, "week"),
    ("بلغت 5 بالمئة", 5, "percent"), ("بلغت 45 بالمائة", 45, "percent"),
    ("بلغ 2.5 في المئة", 2.5, "percent"), ("بلغ 10 في المائة", 10, "percent"),
    ("قفز 100%", 100, "percent"), ("بلغ ٣٫٥٪", 3.5, "percent"),
    ("بلغ 80 دولارا", 80, "usd"), ("دفع 500 مليون يورو", 5e8, "eur"),
    ("بلغ 20 مليون درهم", 2e7, "aed"), ("غرامة 3 ملايين روبل", 3e6, "rub"),
    ("بلغ 200 مليار ريال", 2e11, "sar"), ("راتب 900 دينار كويتي", 900, "kwd"),
    ("بلغ 5 آلاف دينار عراقي", 5000, "iqd"), ("تبرع بـ10 آلاف جنيه مصري", 1e4, "egp"),
    ("بيع بـ250 ألف جنيه إسترليني", 2.5e5, "gbp"), ("بلغ 30 ليرة تركية", 30, "try"),
    ("بلغ 30 ليرة", 30, "lira"), ("خرجت 7 دول", 7, "count"),
    # Casualty reports: the accusative after 11-99 (جريحاً) and the bodies found.
    ("أسفر عن 38 قتيلاً و39 جريحاً", 38, "person"), ("أصيب ٢٥ جريحا", 25, "person"),
    ("عولج 40 مريضاً", 40, "person"), ("اعتقل 12 رجلاً", 12, "person"),
    ("انتشل 17 جثة", 17, "person"), ("عثر على ٣ جثث", 3, "person"),
    ("أصيب 15 شرطيا", 15, "person"),
])
def test_units(text: str, value: float, unit: str) -> None:
    q = extract_quantities(text)[0]
    assert all(other.unit == q.unit for other in extract_quantities(text)), text
    assert (q.value, q.unit, q.kind) == (pytest.approx(value), unit, "quantity")


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("أن صاروخين انفجرا", 2, "missile"), ("استمرت المعارك يومين", 2, "day"),
    ("أسقطت طائرتين", 2, "aircraft"), ("مرت ساعتان", 2, "hour"),
    ("يحتاج إلى أسبوعين", 2, "week"), ("احتجاز صحفييْن", 2, "person"),
    ("استمرت عقدين", 20, "year"), ("ربع قرن", 25, "year"), ("ثلاثة عقود", 30, "year"),
    ("نصف ساعة", 0.5, "hour"), ("موظف واحد", 1, "person"),
    ("السنوات الثلاث المقبلة", 3, "year"),
])
def test_duals_fractions_and_noun_first_numbers(text: str, value: float, unit: str) -> None:
    q = one(text)
    assert (q.value, q.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(("text", "approx", "bound"), [
    ("نحو 3 كيلومترات", True, None), ("بنحو 4 ملايين دولار", True, None),
    ("حوالي 500 شخص", True, None), ("وحوالي 60 مدنيا", True, None),
    ("قرابة 40 ألف شخص", True, None), ("ما يقرب من 300 مهاجر", True, None),
    ("زهاء مليون سائح", True, None), ("20 مليون درهم تقريبا", True, None),
    ("يناهز 90 عام", True, None), ("ما يقارب عشرين عامًا", True, None),
    ("أكثر من 100 شخص", False, "gt"), ("لأكثر من 3 أشهر", False, "gt"),
    ("ما يزيد على 5 مليارات ريال", False, "gt"), ("أزيد من ألف عامل", False, "gt"),
    ("يتخطى حاجز الـ80 دولارا", False, "gt"), ("أقل من 10 في المائة", False, "lt"),
    ("دون 1300 دولار", False, "lt"), ("ما لا يقل عن 40 ناشطا", False, "ge"),
    ("7 قتلى على الأقل", False, "ge"), ("ما لا يزيد عن 100 دولار", False, "le"),
    ("يصل إلى 2 مليون", False, "up_to"), ("لتصل إلى 50 قتيلا", False, "up_to"),
    ("حتى 6 ساعات", False, "up_to"), ("آلاف المدنيين", True, None),
])
def test_approximations_and_bounds(text: str, approx: bool, bound: str | None) -> None:
    q = one(text)
    assert (q.approx, q.bound) == (approx, bound)
    assert q.surface == text.removeprefix("ب").removeprefix("و").removeprefix("ل")


@pytest.mark.parametrize(("text", "value", "upper"), [
    ("بين 10 و20 شخصا", 10, 20), ("من 30 إلى 40 درجة", 30, 40), ("10-20 حالة", 10, 20),
    ("9.5-9.7 بالمئة", 9.5, 9.7), ("بين 2 و3 ملايين", 2e6, 3e6), ("بين عشرة وعشرين", 10, 20),
])
def test_ranges(text: str, value: float, upper: float) -> None:
    q = one(text)
    assert (q.value, q.upper) == (pytest.approx(value), pytest.approx(upper))


def test_part_of_total() -> None:
    q = one("وقتلت 38 من أصل 67 شخصا كانوا على متنها")
    assert (q.value, q.total, q.unit, q.surface) == (38, 67, "person", "38 من أصل 67 شخصا")


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("في 25 ديسمبر/كانون الأول 2024", 20241225, "date"),
    ("في 3 تشرين الثاني/نوفمبر 2021", 20211103, "date"),
    ("في ٦ شباط/فبراير ٢٠٢٣", 20230206, "date"), ("في يونيو 2019", 20190600, "date"),
    ("في 5 مايو", 505, "date"), ("في عام 2022", 2022, "year"), ("تعداد عام 2021", 2021, "year"),
    ("لعام 2019", 2019, "year"), ("منذ 1991", 1991, "year"), ("موازنة ٢٠١٩", 2019, "year"),
])
def test_dates_and_years(text: str, value: float, kind: str) -> None:
    q = one(text)
    assert (q.value, q.kind, q.unit) == (value, kind, "date" if kind == "date" else "year_date")


@pytest.mark.parametrize("text", [
    "قتل 2000 شخص في الزلزال", "وزعت 2000 طن", "أكثر من 2000 متظاهر", "مئات 1670 دعوى",
])
def test_counts_are_not_years(text: str) -> None:
    assert all(q.kind == "quantity" for q in extract_quantities(text))


@pytest.mark.parametrize("text", [
    "قال الوزير إن الوضع تحت السيطرة", "وقع الحادث يوم الاثنين الماضي", "في آن واحد",
    "تنص المادة 5 من القانون", "القرار 2254", "يعاني الاقتصاد من ضعف شديد",
    "الذهب يرتفع مع ضعف الدولار", "تراجع التضخم النصف سنوي", "لست أدري",
    "الطائرة إمبراير 190 أصيبت", "بصواريخ أس 300", "منظومة أس-300", "مجموعة السبع",
    "في ديسمبر/كانون الأول الذي", "عامها الرابع والخمسين", "ارتفع سعر الدينار العراقي",
])
def test_no_quantity(text: str) -> None:
    assert extract_quantities(text) == []


def test_demo_sentences() -> None:
    found = extract_quantities(
        "وأدرج تعداد عام 2021 حوالي نصف مليون من العرق الأذربيجاني الذين يعيشون في روسيا، "
        "لكن التقديرات غير الرسمية تشير إلى أن العدد يصل إلى 2 مليون.")
    assert [(q.value, q.kind, q.approx, q.bound) for q in found] == [
        (2021, "year", False, None), (5e5, "quantity", True, None),
        (2e6, "quantity", False, "up_to")]
    q = one("وأشار إلى أن أكثر من مليون مواطن طاجيكي يعملون في روسيا")
    assert (q.value, q.unit, q.bound) == (1e6, "citizen", "gt")


@pytest.mark.parametrize(("text", "surface"), [
    # Text copied from a PDF keeps the presentation forms of each letter's shape.
    ("ﻗﺘﻞ ٣٨ ﺷﺨﺼﺎ ﻓﻲ ﺍﻟﺤﺎﺩﺙ", "٣٨ ﺷﺨﺼﺎ"),
    ("ﺃﺳﻘﻂ ﺻﺎﺭﻭﺧﺎﻥ ﺍﻟﻄﺎﺋﺮﺓ", "ﺻﺎﺭﻭﺧﺎﻥ"),
    # A right-to-left mark (editors and web pages put one beside a number) or a zero-width
    # joiner inside a word is no break between a number and its unit.
    ("قتل ٣٨\u200f شخصاً", "٣٨\u200f شخصاً"),
    ("قتل \u200e38\u200e شخصاً", "38\u200e شخصاً"),
    ("قتل 38 شخ\u200dصاً", "38 شخ\u200dصاً"),
], ids=["pdf-letters", "pdf-dual", "rlm", "lrm", "zwj"])
def test_presentation_forms_and_invisible_marks(text: str, surface: str) -> None:
    q = one(text)
    assert q.surface == surface == text[q.start:q.end]
    assert q.unit in ("person", "missile") and q.value in (38, 2)


def test_a_tatweel_standing_for_a_dash_is_no_label() -> None:
    # AFP-style copy writes a dash as a tatweel: "ـ 38٪" is 38 percent, as "- 38٪" is.
    q = one("ارتفاع الأسعار ـ 38٪")
    assert (q.surface, q.value, q.unit) == ("38٪", 38, "percent")
    assert one("موسكو ـــ 38 قتيلاً").unit == "person"


def test_same_unit() -> None:
    person, citizen, metre = (one(t) for t in ("38 شخصا", "مليون مواطن", "10 أمتار"))
    assert same_unit(person, citizen) and same_unit(person, one("7 قتلى"))
    assert not same_unit(person, metre)
    assert not same_unit(one("منذ 33 عامًا"), one("في عام 2022"))


@pytest.mark.skipif(not ARTICLE.is_file(), reason="../shared/seed/article-ar.txt is absent")
def test_demo_article_values() -> None:
    values = {(q.value, q.unit) for q in extract_quantities(ARTICLE.read_text("utf-8"))}
    assert {(38, "person"), (2, "missile"), (10, "metre"), (2022, "year_date"),
            (20241225, "date"), (25, "year"), (33, "year"), (1e6, "citizen")} <= values


def _bench():
    spec = importlib.util.spec_from_file_location("bench_quantities",
                                                  ROOT / "bench" / "quantities.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gold_set_f1() -> None:
    bench = _bench()
    rows = bench.load()
    assert len(rows) >= 80
    assert {"demo-article", "ans", "own"} <= {r["source"] for r in rows}
    scores = bench.evaluate(rows)["all"]
    for key in ("value", "unit", "value+unit"):
        assert scores[key][2] >= 0.95, (key, scores[key])
