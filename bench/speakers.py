"""Speaker-attribution benchmark on the CLEF 2018 CheckThat! Arabic debates and the demo article.

Run: ``.venv/bin/python bench/speakers.py`` from the repository root.

Data: ../shared/data/clef2018-ar/*.txt (tab-separated ``line, speaker, text, claim_number,
normalized_claim, label``; free for research use) and ../shared/seed/article-ar.txt.

Caveat, printed with the results: the gold ``speaker`` column is the debater who *uttered*
the line.  A reporting verb inside a debate line ("قال مدير حملتك ...") almost always
introduces somebody else, so agreement with the gold column measures how often the detector
would wrongly credit a debater's own line to the person they quote - it is not a
reported-speech accuracy.  Section 1b scores the same lines against a hand labelling of
the reported speaker, and section 2 frames real debate lines with the gold
speaker's name (synthetic frames, real quoted content) to measure name finding itself.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.text.arabic import normalize  # noqa: E402
from claims.text.extract import extract_from_text  # noqa: E402
from claims.text.sentences import split_sentences  # noqa: E402
from claims.text.speakers import detect_speaker  # noqa: E402

SHARED = ROOT.parent / "shared"
CLEF = SHARED / "data" / "clef2018-ar"
ARTICLE = SHARED / "seed" / "article-ar.txt"

# Third-person reporting cues, written independently of claims.text.speakers so that which
# lines are scorable does not depend on the detector under test.
REPORTING = re.compile(
    r"(?:^|\s)[وف]?(?:قال|قالت|قالوا|يقول|تقول|يقولون|اضاف|اضافت|اكد|اكدت|اعلن|اعلنت|اشار|"
    r"اشارت|ذكر|ذكرت|صرح|صرحت|اوضح|اوضحت|بحسب|حسب|وفقا)(?=\s|[:،,.]|$)"
)
# Full names and titles used by the synthetic frames of section 2.
FULL_NAMES = {
    "ترامب": ("دونالد ترامب", "المرشح الجمهوري"),
    "كلينتون": ("هيلاري كلينتون", "المرشحة الديمقراطية"),
    "هولت": ("ليستر هولت", "مقدم المناظرة"),
    "راداتز": ("مارثا راداتز", "مقدمة المناظرة"),
    "كوبر": ("أندرسون كوبر", "مقدم المناظرة"),
}
FRAMES = (
    "قال {name} إن {text}",
    "“{text}”، قال {title} {name}.",
    "وأضاف {title} {name}: “{text}”",
    "بحسب {name}، {text}",
)
# Hand labelling (by this benchmark's author) of the reported speaker named in the text of
# the CLEF lines that section 1 scores: (file, line) -> the subject of the reporting verb.
# Every other scorable line has no named speaker (a pronoun: "هو قال", "هل تقول", "وقالوا").
HAND_GOLD = {
    ("1st", 66): "صديقي", ("1st", 448): "مصلحة الضرائب", ("1st", 472): "كل محام",
    ("1st", 487): "مصلحة الضرائب", ("1st", 527): "التقرير", ("1st", 547): "تقرير",
    ("1st", 562): "مدير الحملة", ("1st", 696): "دونالد", ("1st", 817): "باتي سوليس دويل",
    ("1st", 884): "مدير حملتك", ("1st", 1034): "الوزيرة", ("1st", 1098): "شون هانيتي",
    ("1st", 1102): "شون هانيتي", ("1st", 1110): "احد مواطنيك", ("1st", 1268): "هيلاري",
    ("2nd", 10): "مبادئ التلفاز التوجيهية", ("2nd", 107): "العديد من الجمهوريين",
    ("2nd", 146): "ترامب", ("2nd", 186): "دونالد", ("2nd", 235): "مكتب التحقيقات الفيدرالى",
    ("2nd", 329): "دونالد", ("2nd", 403): "بيرني ساندرز", ("2nd", 419): "جوناثان غروبر",
    ("2nd", 420): "أوباما", ("2nd", 451): "أوباما", ("2nd", 471): "دونالد",
    ("2nd", 481): "زميلك", ("2nd", 518): "دونالد", ("2nd", 547): "بلادهم",
    ("2nd", 550): "هيلاري كلينتون", ("2nd", 553): "بيرني ساندرز",
    ("2nd", 581): "مجتمع الاستخبارات", ("2nd", 949): "دونالد", ("2nd", 1171): "هيلاري",
}
# Hand-labelled speakers of the demo article's sentences (last name; None: nobody speaks).
DEMO_GOLD = {
    "أودى بحياة 38 شخصاً": "بوتين",
    "وقال بوتين إن الصواريخ": "بوتين",
    "تعهد بوتين بمعاقبة": "بوتين",
    "وقتلت 38 من أصل 67": "السلطات الأذربيجانية",
    "اعتذر بوتين لعلييف": "بوتين",
    "انتقدت موسكو لمحاولته": "علييف",
    "صاروخين انفجرا": "بوتين",
    "من الواضح أن الجانب الروسي": "بوتين",
    "هذه الكلمات المتعلقة": "بوتين",
    "شكر علييف بوتين": "علييف",
    "أود أن أشكرك": "علييف",
    "وأشار الزعيمان": "الزعيمان",
    "آمل ألا يتم استعادة": "بوتين",
    "ورد علييف بأن": "علييف",
    "أشاد الزعيم الروسي": "بوتين",
    "تعتزم بقوة تعزيز": "بوتين",
}


def last_name(name: str) -> str:
    """Normalised last word of a name, for comparing "دونالد ترامب" with "ترامب"."""
    words = normalize(name).split()
    return words[-1] if words else ""


def same_speaker(detected: str, gold: str) -> bool:
    """Last names agree (an institution such as "السلطات الأذربيجانية" compares whole)."""
    if " " in gold:
        return normalize(detected) == normalize(gold)
    return last_name(detected) == last_name(gold)


def read_clef() -> list[tuple[str, str, tuple[str, int]]]:
    """(gold speaker, text, (file tag, line number)) for every line of the CLEF debates."""
    rows = []
    for path in sorted(CLEF.glob("*.txt")):
        tag = "1st" if "1st" in path.name else "2nd"
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            cols = line.split("\t")
            if len(cols) >= 3 and cols[2].strip() and cols[0].strip().isdigit():
                rows.append((cols[1].strip(), cols[2].strip(), (tag, int(cols[0]))))
    return rows


def report(
    label: str, detected: int, correct: int, scorable: int, covered: int | None = None
) -> None:
    """Print precision, recall and coverage (scorable items that got any guess)."""
    precision = correct / detected if detected else 0.0
    recall = correct / scorable if scorable else 0.0
    coverage = (detected if covered is None else covered) / scorable if scorable else 0.0
    print(f"  {label}: scorable={scorable} detected={detected} correct={correct}  "
          f"precision={precision:.3f} recall={recall:.3f} coverage={coverage:.3f}")


def bench_clef(rows: list[tuple[str, str, tuple[str, int]]]) -> None:
    """Section 1: real lines whose text has a reporting verb, against the utterer column."""
    scorable = [(gold, text) for gold, text, _ in rows if REPORTING.search(normalize(text))]
    detected = correct = named_in_text = false_alarms = 0
    who: Counter[str] = Counter()
    for gold, text in scorable:
        named_in_text += last_name(gold) in normalize(text).split()
        guess = detect_speaker(text)
        if guess is None:
            continue
        detected += 1
        who[guess.name] += 1
        correct += same_speaker(guess.name, gold)
    others = [text for _, text, _ in rows if not REPORTING.search(normalize(text))]
    false_alarms = sum(detect_speaker(text) is not None for text in others)
    print(f"1. CLEF 2018 Arabic debates, real lines: {len(rows)} lines, "
          f"{len(scorable)} with a reporting verb ({len(scorable) / len(rows):.1%})")
    report("vs gold utterer", detected, correct, len(scorable))
    print(f"  gold utterer's last name appears in only {named_in_text} of the scorable lines;")
    print(f"  guesses on the {len(others)} lines without a reporting verb: {false_alarms} "
          f"(weak stance verbs such as رد/انتقد)")
    print("  most frequent detected names:",
          "، ".join(f"{name} ({n})" for name, n in who.most_common(8)))


def bench_hand(rows: list[tuple[str, str, tuple[str, int]]]) -> None:
    """Section 1b: the same scorable lines against a hand labelling of the reported speaker.

    A detection is correct when the last word of the labelled name is one of its words, so
    "أوباما احتفظ بطبيبك" counts for "أوباما": lenient on span ends, strict on the person.
    """
    scorable = [(text, key) for _, text, key in rows if REPORTING.search(normalize(text))]
    detected = correct = covered = 0
    for text, key in scorable:
        guess = detect_speaker(text)
        if guess is None:
            continue
        detected += 1
        covered += key in HAND_GOLD
        gold = HAND_GOLD.get(key)
        correct += gold is not None and last_name(gold) in normalize(guess.name).split()
    named = sum(key in HAND_GOLD for _, key in scorable)
    print(f"1b. Same {len(scorable)} lines, hand-labelled reported speaker "
          f"({named} lines name one; the rest use a pronoun):")
    report("vs hand label", detected, correct, named, covered)


def bench_frames(rows: list[tuple[str, str, tuple[str, int]]]) -> None:
    """Section 2: the same real lines wrapped in synthetic reporting frames naming the gold."""
    print("2. Synthetic frames around real debate lines (frame names the gold speaker):")
    total = {"detected": 0, "correct": 0, "scorable": 0}
    for frame in FRAMES:
        detected = correct = scorable = 0
        for gold, text, _ in rows:
            if gold not in FULL_NAMES:
                continue  # النظام / سؤال: stage directions and audience questions
            name, title = FULL_NAMES[gold]
            sentence = frame.format(name=name, title=title, text=text.rstrip("."))
            scorable += 1
            guess = detect_speaker(sentence)
            if guess is not None:
                detected += 1
                correct += same_speaker(guess.name, gold)
        report(frame.replace("{text}", "…"), detected, correct, scorable)
        total["detected"] += detected
        total["correct"] += correct
        total["scorable"] += scorable
    report("all frames", total["detected"], total["correct"], total["scorable"])


def bench_demo() -> None:
    """Section 3: the demo article, sentence by sentence, against a hand labelling."""
    article = extract_from_text(ARTICLE.read_text(encoding="utf-8"))
    sentences = [s.text for s in split_sentences(article.text)]
    gold_by_index: dict[int, str] = {}
    for fragment, speaker in DEMO_GOLD.items():
        hits = [i for i, s in enumerate(sentences) if fragment in s]
        assert len(hits) == 1, fragment
        gold_by_index[hits[0]] = speaker
    detected = correct = spurious = 0
    print(f"3. Demo article ({len(sentences)} sentences, {len(DEMO_GOLD)} with a speaker):")
    for i, text in enumerate(sentences):
        guess = detect_speaker(text, sentences[i - 1] if i else None)
        gold = gold_by_index.get(i)
        if guess is None:
            mark = "-" if gold is None else "MISS"
        elif gold is None:
            spurious += 1
            mark = "SPURIOUS"
        else:
            detected += 1
            ok = same_speaker(guess.name, gold)
            correct += ok
            mark = "ok" if ok else f"WRONG (gold {gold})"
        shown = f"{guess.name} [{guess.cue}, {guess.confidence:.2f}]" if guess else "-"
        print(f"  {i:2d} {mark:24s} {shown:40s} {text[:40]}")
    report("demo", detected + spurious, correct, len(DEMO_GOLD), detected)


def main() -> int:
    """Run every section whose data is present."""
    if not CLEF.is_dir() and not ARTICLE.is_file():
        print(f"skipped: no data under {SHARED} (../shared is absent)")
        return 0
    if CLEF.is_dir():
        rows = read_clef()
        bench_clef(rows)
        bench_hand(rows)
        bench_frames(rows)
    else:
        print(f"CLEF sections skipped: {CLEF} is absent")
    if ARTICLE.is_file():
        bench_demo()
    else:
        print(f"demo section skipped: {ARTICLE} is absent")
    print("Caveats: section 1's gold is the debater who uttered the line, not the person a")
    print("reporting verb introduces, so it can only score lines where a debater names")
    print("themself; 1b's labels and the demo's are one person's hand labelling; section 2's")
    print("frames are synthetic (real quoted content, templated attribution).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
