"""Token features for the CRF entity tagger, shared by training (bench) and inference."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from claims.text.arabic import normalize
from claims.text.clitics import clitic_forms

__all__ = [
    "CLUSTERS",
    "FEATURE_VERSION",
    "choose_stem",
    "cluster_tags",
    "lexicon_tags",
    "sentence_features",
    "shape",
    "stem_rank",
    "strip_clitics",
    "token_stem",
]

# Bumped whenever features change, so a stale model is noticed at evaluation time.
FEATURE_VERSION = "7"

# The shipped seed gazetteer (entity names by kind) and its person-name token bands: the
# model was trained with these lists, so they are read from the same file at inference.
GAZETTEER = Path(__file__).resolve().parents[1] / "data" / "gazetteer.json"
_NAME_BANDS = {"frequent": "3", "common": "2", "rare": "1"}
# Word clusters of clitic-free stems learnt from unlabelled text (bench/ner_clusters.py), so
# a name seen rarely in training shares weights with words used the same way.
CLUSTERS = Path(__file__).resolve().parents[1] / "data" / "ner-clusters.tsv"

# Enclitic pronouns and common plural/feminine endings, longest first.
_ENCLITICS = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه", "ك", "ي")
# Person titles and roles (normalised, clitics stripped) that announce a name within 3 words.
_TITLES = frozenset(
    "رييس ملك امير شيخ سيد سيده دكتور رييسه وزير وزيره نايب مستشار امين سفير متحدث "
    "مدير زعيم قايد جنرال عقيد لواء العقيد الرييس الملك الامير الشيخ السيد السيده الدكتور "
    "الوزير الزعيم القايد الجنرال المستشار السفير الامين المتحدث المدير الاستاذ البابا "
    "الامام المفتي النايب الكاتب المخرج الفنان المدرب اللاعب الناطق الروايي الشاعر".split()
)
_ARABIC_RE = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_PUNCT = frozenset(".,;:!?\"'()[]{}-–—/«»“”‘’…%")


def choose_stem(word: str, count: Callable[[str], float]) -> tuple[str, str]:
    """(proclitic, stem) of a normalised word: its most attested clitic reading.

    The readings are those of ``claims.text.clitics.clitic_forms`` (conjunction, preposition,
    article; common words such as واحد keep their letters). ``count`` scores how often a form
    is attested as a stem; the most attested reading wins, the more stripped one on a tie, so
    لبنان stays لبنان (بنان is not attested) while وبوتين gives بوتين. When no reading is
    attested, only a conjunction and the article are removed, never a bare preposition
    letter, which is as often the first letter of an unseen name (بغداد, لندن).
    """
    forms = sorted(clitic_forms(word), key=lambda f: len(f.form))
    best = max(forms, key=lambda f: (count(f.form), -len(f.form)))
    if count(best.form) <= 0:
        best = next((f for f in forms if not _bare_preposition(word, f.form)), forms[-1])
    return _prefix(word, best.form), best.form


def _prefix(word: str, stem: str) -> str:
    """Letters before ``stem`` in ``word`` (``لل`` + رئيس; ``ل`` for the restored ``الرئيس``)."""
    return word[: len(word) - len(stem)] if word.endswith(stem) else word[:1]


def _bare_preposition(word: str, stem: str) -> bool:
    pre = _prefix(word, stem)
    return pre.endswith(("ب", "ل", "ك")) and not pre.endswith(("ال", "لل"))


@lru_cache(maxsize=65536)
def strip_clitics(word: str) -> tuple[str, str]:
    """Return (proclitic, stem) for a normalised word, attestation from the cluster table."""
    ranks = _ranks()
    top = len(ranks)
    return choose_stem(word, lambda form: float(top - ranks.get(form, top)))


def _char_class(ch: str) -> str:
    if "0" <= ch <= "9":
        return "d"
    if "a" <= ch <= "z":
        return "l"
    if "A" <= ch <= "Z":
        return "L"
    if _ARABIC_RE.match(ch):
        return "a"
    return "p" if unicodedata.category(ch).startswith("P") or ch in _PUNCT else "o"


@lru_cache(maxsize=65536)
def shape(token: str) -> str:
    """Collapsed character-class shape of a raw token, e.g. ``Aa``→``La``, ``2024``→``d``."""
    out: list[str] = []
    for ch in token:
        cls = _char_class(ch)
        if not out or out[-1] != cls:
            out.append(cls)
    return "".join(out)[:6]


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Gazetteer tags of each normalised name token, and person-name token bands."""
    try:
        data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    tags: dict[str, set[str]] = {}
    for entity in data.get("entities", []):
        names = [(entity["name_ar"], "name")]
        names += [(a["text"], a.get("kind", "name")) for a in entity.get("aliases", [])]
        for text, kind in names:
            toks = normalize(text).split()
            tag = ("dem" if kind == "demonym" else entity["kind"][:3]) + (
                "1" if len(toks) == 1 else "m")
            for tok in toks:
                tags.setdefault(tok, set()).add(tag)
    bands: dict[str, str] = {}
    person_tokens = data.get("person_name_tokens", {})
    for band, level in _NAME_BANDS.items():
        for tok in person_tokens.get(band, "").split():
            bands.setdefault(tok, level)
    return {k: frozenset(v) for k, v in tags.items()}, bands


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], str], int]:
    """Multi-word gazetteer names (normalised words) -> kind tag, and the longest length."""
    try:
        data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, 0
    out: dict[tuple[str, ...], str] = {}
    for entity in data.get("entities", []):
        kind = entity["kind"][:3]
        texts = [entity["name_ar"]] + [a["text"] for a in entity.get("aliases", [])
                                       if a.get("kind") != "demonym"]
        for text in texts:
            toks = tuple(normalize(text).split())
            if len(toks) > 1:
                out.setdefault(toks, kind)
    return out, max(map(len, out), default=0)


def phrase_tags(info: list[tuple[str, str, str, str]]) -> list[str]:
    """``gzB=<kind>``/``gzI=<kind>`` per token for the longest multi-word gazetteer names in a
    sentence (the first word may carry a proclitic), ``""`` elsewhere."""
    phrases, longest = _phrases()
    tags = [""] * len(info)
    i = 0
    while i < len(info):
        for n in range(min(longest, len(info) - i), 1, -1):
            rest = tuple(w for w, _p, _s, _h in info[i + 1:i + n])
            word, _pre, stem, _shape = info[i]
            kind = next((phrases[key] for first in (word, stem, "ال" + stem)
                         if (key := (first, *rest)) in phrases), "")
            if kind:
                tags[i:i + n] = ["gzB=" + kind] + ["gzI=" + kind] * (n - 1)
                i += n - 1
                break
        i += 1
    return tags


@lru_cache(maxsize=65536)
def lexicon_tags(word: str, stem: str) -> tuple[str, ...]:
    """``gaz=<kind><1|m>`` and ``pname=<band>`` features of a word or its clitic-free stem."""
    tags, bands = _lexicon()
    out: set[str] = set()
    for form in {word, stem}:
        out.update("gaz=" + t for t in tags.get(form, ()))
        if form in bands:
            out.add("pname=" + bands[form])
    return tuple(sorted(out))


@lru_cache(maxsize=1)
def _clusters() -> dict[str, tuple[str, ...]]:
    """Cluster ids (coarse to fine) of each stem in the shipped table; empty if it is absent."""
    try:
        lines = CLUSTERS.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for line in lines:
        if line and not line.startswith("#"):
            stem, *ids = line.split("\t")
            out[stem] = tuple(ids)
    return out


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    """Frequency rank of each stem: the cluster table lists stems most frequent first."""
    return {stem: rank for rank, stem in enumerate(_clusters())}


def stem_rank(stem: str) -> int | None:
    """Frequency rank of a stem in the unlabelled text (0 = most frequent), None if unseen."""
    return _ranks().get(stem)


# Rank bands: function words, common vocabulary, ... rare words (names are mostly rare).
_BANDS = (100, 1000, 4000)


@lru_cache(maxsize=65536)
def cluster_tags(stem: str) -> tuple[str, ...]:
    """``c<level>=<id>`` and ``fr=<band>`` features of a stem, or ``c=none`` when unknown."""
    ids = _clusters().get(stem)
    if ids is None:
        return ("c=none",)
    rank = _ranks().get(stem, _BANDS[-1])
    band = next((i for i, top in enumerate(_BANDS) if rank < top), len(_BANDS))
    return (*(f"c{level}={cid}" for level, cid in enumerate(ids)), f"fr={band}")


def token_stem(token: str) -> str:
    """Clitic-free normalised stem of a raw token (the key of the cluster table)."""
    return _token_info(token)[2]


@lru_cache(maxsize=65536)
def _token_info(token: str) -> tuple[str, str, str, str]:
    """Normalised form, proclitic, stem and shape of one raw token."""
    word = normalize(token) or token
    pre, stem = strip_clitics(word)
    return word, pre, stem, shape(token)


def _own(token: str) -> list[str]:
    word, pre, stem, shp = _token_info(token)
    feats = [
        "bias",
        "w=" + word,
        "stem=" + stem,
        "pre=" + pre,
        "shape=" + shp,
        "len=" + str(min(len(word), 9)),
    ]
    for n in (1, 2, 3):
        if len(word) > n:
            feats.append(f"p{n}=" + word[:n])
            feats.append(f"s{n}=" + word[-n:])
        if len(stem) > n:
            feats.append(f"sp{n}=" + stem[:n])
            feats.append(f"ss{n}=" + stem[-n:])
    for enc in _ENCLITICS:
        if stem.endswith(enc) and len(stem) - len(enc) >= 3:
            feats.append("enc=" + enc)
            break
    feats.extend(lexicon_tags(word, stem))
    feats.extend(cluster_tags(stem))
    if _LATIN_RE.search(token):
        feats.append("latin")
    if any(ch.isdigit() for ch in token):
        feats.append("digit" if word.isdigit() else "hasdigit")
    if word.startswith("ال") or pre.endswith("ال") or pre.endswith("لل"):
        feats.append("defart")
    return feats


def _is_nisba(word: str) -> bool:
    """Definite relative adjective such as الأذربيجاني / الروسيه."""
    return word.startswith("ال") and len(word) >= 6 and word.endswith(("ي", "يه"))


def sentence_features(tokens: list[str]) -> list[list[str]]:
    """CRFsuite attribute lists for each token of one sentence."""
    info = [_token_info(t) for t in tokens]
    phrases = phrase_tags(info)
    n = len(tokens)
    out: list[list[str]] = []
    for i, token in enumerate(tokens):
        feats = _own(token)
        if phrases[i]:
            feats.append(phrases[i])
        word, _pre, stem, _shp = info[i]
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < n:
                w2, p2, s2, sh2 = info[j]
                feats.append(f"{off}:w=" + w2)
                feats.append(f"{off}:stem=" + s2)
                feats.extend(f"{off}:" + tag for tag in lexicon_tags(w2, s2))
                if abs(off) == 1:
                    feats.append(f"{off}:pre=" + p2)
                    feats.append(f"{off}:shape=" + sh2)
                    feats.append(f"{off}:s2=" + w2[-2:])
            else:
                feats.append(f"{off}:" + ("BOS" if j < 0 else "EOS"))
        for k in (1, 2, 3):
            if i - k >= 0 and (info[i - k][2] in _TITLES or info[i - k][0] in _TITLES):
                feats.append(f"title-{k}")
                break
        if _is_nisba(word):
            feats.append("nisba")
        if i > 0 and _is_nisba(info[i - 1][0]):
            feats.append("-1:nisba")
        if i > 0:
            feats.append("-1|0=" + info[i - 1][0] + "|" + word)
            feats.append("-1s|0s=" + info[i - 1][2] + "|" + stem)
        if i + 1 < n:
            feats.append("0|+1=" + word + "|" + info[i + 1][0])
        out.append(feats)
    return out
