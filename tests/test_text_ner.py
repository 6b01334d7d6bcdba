"""Tests for the entity-suggestion tagger (claims.text.ner) and its shipped CRF model."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from claims.text import ner, ner_features
from claims.text.arabic import tokens_with_spans
from claims.text.ner import EntitySuggestion, suggest_entities

ROOT = Path(__file__).resolve().parents[1]

PUTIN = "وقال الرئيس فلاديمير بوتين إن الدفاع الجوي الروسي هو المسؤول عن إسقاط الطائرة"
DUSHANBE = (
    "وفي حديثه خلال اجتماع مع الرئيس الأذربيجاني إلهام علييف في العاصمة الطاجيكية دوشانبي"
)
ALIYEV = "وقال الرئيس الأذربيجاني إلهام علييف إن بلاده تطالب بالتعويض."


def _find(found: list[EntitySuggestion], kind: str, word: str) -> EntitySuggestion | None:
    """The first suggestion of ``kind`` whose surface contains ``word``."""
    return next((e for e in found if e.kind == kind and word in e.surface), None)


def _run(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter from the repository root and return its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_model_file_ships_small_and_loads() -> None:
    assert ner.MODEL_PATH.is_file()
    assert ner.MODEL_PATH.stat().st_size < 5_000_000
    assert (ner.MODEL_PATH.parent / "ner-crf.LICENSE.txt").is_file()
    labels = set(ner._tagger().labels())
    assert {"O", "B-PERS", "I-PERS", "L-PERS", "U-PERS", "U-LOC", "B-ORG", "U-MISC"} <= labels


def test_bilou_labels_of_bio_and_back() -> None:
    bio = ["B-PERS", "I-PERS", "I-PERS", "O", "B-LOC", "O", "I-ORG", "I-ORG", "B-LOC", "B-LOC",
           "I-LOC"]
    assert ner.to_bilou(bio) == ["B-PERS", "I-PERS", "L-PERS", "O", "U-LOC", "O", "B-ORG",
                                 "L-ORG", "U-LOC", "B-LOC", "L-LOC"]


class _FixedTagger:
    """A CRFsuite tagger stand-in with fixed BILOU output and marginals."""

    def __init__(self, labels: list[str], marginals: dict[tuple[str, int], float]) -> None:
        self._labels, self._marginals = labels, marginals

    def set(self, _features: Any) -> None:
        pass

    def tag(self) -> list[str]:
        return self._labels

    def labels(self) -> list[str]:
        return ["O", "B-PERS", "I-PERS", "L-PERS", "U-PERS", "U-LOC"]

    def marginal(self, label: str, i: int) -> float:
        return self._marginals.get((label, i), 0.0)


def test_bilou_output_is_read_back_as_bio_with_summed_marginals() -> None:
    tagger = _FixedTagger(["B-PERS", "L-PERS", "O", "U-LOC"], {
        ("B-PERS", 0): 0.6, ("U-PERS", 0): 0.3, ("L-PERS", 1): 0.5, ("I-PERS", 1): 0.2,
        ("O", 2): 0.9, ("U-LOC", 3): 0.8})
    labels, scores = ner.tag_segments(tagger, [["فلاديمير", "بوتين", "في", "موسكو"]],  # type: ignore[arg-type]
                                      propagate=False)
    assert labels == [["B-PERS", "I-PERS", "O", "B-LOC"]]
    assert scores == [pytest.approx([0.9, 0.7, 0.9, 0.8])]


def test_putin_is_a_person() -> None:
    found = suggest_entities(PUTIN)
    putin = _find(found, "person", "بوتين")
    assert putin is not None
    assert putin.surface == "فلاديمير بوتين"
    assert 0.5 < putin.score <= 1.0
    assert not any("الرئيس" in e.surface for e in found)


def test_dushanbe_is_a_place() -> None:
    dushanbe = _find(suggest_entities(DUSHANBE), "place", "دوشانبي")
    assert dushanbe is not None
    assert dushanbe.surface == "دوشانبي"


def test_aliyev_is_a_person() -> None:
    aliyev = _find(suggest_entities(ALIYEV), "person", "علييف")
    assert aliyev is not None
    assert aliyev.surface == "إلهام علييف"


def test_aliyev_in_demo_sentence() -> None:
    # was a known miss (إلهام after an unseen nisba) until the person-name token features
    assert _find(suggest_entities(DUSHANBE), "person", "علييف") is not None


def test_offsets_index_the_original_text() -> None:
    text = "  " + PUTIN + "\n\n" + DUSHANBE + ". وفي موسكو قال سيرغي لافروف إن..."
    found = suggest_entities(text)
    assert len(found) >= 4
    for e in found:
        assert text[e.start : e.end] == e.surface
        assert e.kind in {"person", "place", "organisation", "other"}
        assert 0.0 <= e.score <= 1.0
    assert [e.start for e in found] == sorted(e.start for e in found)
    assert _find(found, "place", "موسكو") is not None


def test_diacritics_keep_the_original_surface() -> None:
    text = "وَقَالَ الرَّئِيسُ فلاديميرُ بوتينُ إنَّ الدِّفَاعَ الجَوِّيَّ هو المسؤول"
    found = suggest_entities(text)
    putin = _find(found, "person", "بوتين")
    assert putin is not None
    assert putin.surface == "فلاديميرُ بوتينُ" == text[putin.start : putin.end]


def test_arabic_indic_digits_are_not_entities() -> None:
    text = "قُتل ٣٨ من أصل ٦٧ شخصا كانوا على متن الطائرة في كازاخستان"
    found = suggest_entities(text)
    assert not any(ch in e.surface for e in found for ch in "٣٨٦٧")
    assert _find(found, "place", "كازاخستان") is not None


def test_proclitic_before_the_article_is_trimmed() -> None:
    text = "وزار الوفد بكين ثم توجه إلى موسكو والقاهرة."
    cairo = _find(suggest_entities(text), "place", "القاهرة")
    assert cairo is not None
    assert cairo.surface == "القاهرة"
    assert text[cairo.start - 1] == "و"


def test_sentences_split_at_full_stops_but_not_decimals() -> None:
    text = "بلغ النمو 4.3 في المئة. وقال الوزير\nثم غادر"
    segments = ner._segments(text, tokens_with_spans(text))
    assert [[tok for tok, _s, _e in seg] for seg in segments] == [
        ["بلغ", "النمو", "4", ".", "3", "في", "المئة", "."],
        ["وقال", "الوزير"],
        ["ثم", "غادر"],
    ]


def test_empty_and_punctuation_only_input() -> None:
    assert suggest_entities("") == []
    assert suggest_entities("   \n ") == []
    assert suggest_entities("... ، ؟ !") == []


def test_claim_sentence_is_fast() -> None:
    suggest_entities(DUSHANBE)  # warm: model load and feature caches
    timings = []
    for i in range(21):
        started = time.process_time()  # CPU time: the neighbours on a shared machine don't count
        suggest_entities(DUSHANBE + " " + str(i))
        timings.append(time.process_time() - started)
    assert sorted(timings)[10] < 0.010  # ≈ 1.7 ms of CPU on a slow machine


def test_suggestion_is_frozen() -> None:
    e = EntitySuggestion(0, 5, "بوتين", "person", 0.9)
    with pytest.raises(AttributeError):
        e.kind = "place"  # type: ignore[misc]


def test_camel_bert_not_selected_without_camel_data(tmp_path: Path) -> None:
    code = "from claims.text import ner; print(ner.backend_name())"
    assert _run(code, CAMELTOOLS_DATA=str(tmp_path)) == "crf"


def test_import_and_tagging_do_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from claims.text import ner\n"
        "before = 'torch' in sys.modules\n"
        "ner.suggest_entities('وقال الرئيس فلاديمير بوتين إن')\n"
        "print(before, 'torch' in sys.modules)\n"
    )
    assert _run(code, CAMELTOOLS_DATA=str(tmp_path)) == "False False"


def test_frequency_band_of_a_function_word_and_a_name() -> None:
    assert "fr=0" in ner_features.cluster_tags("في")
    rank = ner_features.stem_rank(ner_features.token_stem("موسكو"))
    assert rank is not None and rank > 100
    assert ner_features.stem_rank("كلمةلاتوجد") is None


def test_propagation_tags_repeats_and_lone_surnames() -> None:
    keys = [["الهام", "علييف", "قال"], ["في", "دوشانبي"], ["اضاف", "علييف"], ["دوشانبي"]]
    labels = [["B-PERS", "I-PERS", "O"], ["O", "B-LOC"], ["O", "O"], ["O"]]
    scores = [[0.9, 0.8, 0.99], [0.99, 0.7], [0.9, 0.6], [0.5]]
    ner._propagate(keys, labels, scores)
    assert labels[2] == ["O", "B-PERS"] and scores[2] == [0.9, 0.8]
    assert labels[3] == ["B-LOC"] and scores[3] == [0.7]
    assert labels[0] == ["B-PERS", "I-PERS", "O"]


def test_propagation_keeps_labels_and_skips_frequent_surnames() -> None:
    assert (ner_features.stem_rank("قال") or 0) < 1000
    keys = [["احمد", "قال"], ["قال", "دوشانبي"], ["دوشانبي"]]
    labels = [["B-PERS", "I-PERS"], ["O", "O"], ["B-ORG"]]
    scores = [[0.9, 0.8], [0.9, 0.9], [0.6]]
    ner._propagate(keys, labels, scores)
    assert labels[1] == ["O", "B-ORG"]  # the lone دوشانبي repeats as tagged, قال stays O
    assert labels[2] == ["B-ORG"]


def test_a_name_repeated_alone_in_a_text_is_suggested() -> None:
    text = PUTIN + ". وأضاف بوتين أن التحقيق مستمر."
    found = [e for e in suggest_entities(text) if e.kind == "person"]
    assert [e.surface for e in found] == ["فلاديمير بوتين", "بوتين"]
    assert found[1].score >= 0.5


def _clusters_script() -> Any:
    """bench/ner_clusters.py as a module (it is a script, not a package)."""
    path = ROOT / "bench" / "ner_clusters.py"
    spec = importlib.util.spec_from_file_location("ner_clusters", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cluster_table_ships_with_its_licence() -> None:
    assert ner_features.CLUSTERS.is_file()
    assert (ner_features.CLUSTERS.parent / "ner-clusters.LICENSE.txt").is_file()
    assert ner_features.CLUSTERS.stat().st_size < 1_000_000


def test_cluster_features_of_a_known_and_an_unknown_stem() -> None:
    stem = ner_features.token_stem("وموسكو")
    assert stem == "موسكو"
    tags = ner_features.cluster_tags(stem)
    assert [t.split("=")[0] for t in tags] == ["c0", "c1", "c2", "c3", "fr"]
    assert ner_features.cluster_tags("كلمةلاتوجد") == ("c=none",)
    assert set(tags) <= set(ner_features.sentence_features(["في", "موسكو"])[1])


def test_missing_cluster_table_gives_no_cluster_ids(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ner_features, "CLUSTERS", tmp_path / "absent.tsv")
    ner_features._clusters.cache_clear()
    ner_features.cluster_tags.cache_clear()
    try:
        assert ner_features.cluster_tags("موسكو") == ("c=none",)
    finally:
        monkeypatch.undo()
        ner_features._clusters.cache_clear()
        ner_features.cluster_tags.cache_clear()
    assert ner_features.cluster_tags("موسكو") != ("c=none",)


def test_multi_word_gazetteer_names_are_tagged_as_phrases() -> None:
    tokens = ("وقال الأمين العام للأمم المتحدة إن مجلس الأمن الدولي اجتمع "
              "في الولايات المتحدة").split()
    tags = ner_features.phrase_tags([ner_features._token_info(t) for t in tokens])
    assert tags == ["", "", "", "gzB=org", "gzI=org", "", "gzB=org", "gzI=org", "gzI=org",
                    "", "", "gzB=pla", "gzI=pla"]
    # the same word takes the kind of the name it is part of
    assert "gzI=org" in ner_features.sentence_features(tokens)[4]
    assert "gzI=pla" in ner_features.sentence_features(tokens)[12]
    assert ner_features.phrase_tags([ner_features._token_info("المتحدة")]) == [""]


def test_cluster_builder_groups_words_used_alike() -> None:
    script = _clusters_script()
    # two word families that never share a context: each must land in one cluster
    sents = [["في", city, "امس"] for city in ("موسكو", "باريس", "روما") for _ in range(3)]
    sents += [["قال", name, "ان"] for name in ("احمد", "محمد", "علي") for _ in range(3)]
    vocab, emb = script.vectors(sents, min_count=2, contexts=50, dim=4)
    norms = dict(zip(vocab, np.linalg.norm(emb, axis=1), strict=True))
    assert all(abs(norms[w] - 1.0) < 1e-9 for w in ("موسكو", "باريس", "احمد", "علي"))
    ids = dict(zip(vocab, script.kmeans(emb, 2, seed=1), strict=True))
    assert ids["موسكو"] == ids["باريس"] == ids["روما"]
    assert ids["احمد"] == ids["محمد"] == ids["علي"] != ids["موسكو"]


def test_a_name_takes_the_type_most_of_its_mentions_have() -> None:
    keys = [["نادي", "برشلونه"], ["في", "برشلونه"], ["فاز", "برشلونه"], ["مدريد", "و", "برشلونه"]]
    labels = [["O", "B-ORG"], ["O", "B-LOC"], ["O", "B-ORG"], ["B-LOC", "O", "O"]]
    scores = [[0.9, 0.8], [0.9, 0.7], [0.9, 0.6], [0.8, 0.9, 0.9]]
    ner._propagate(keys, labels, scores)
    assert labels[1] == ["O", "B-ORG"]  # two ORG mentions outvote one LOC
    assert labels[3] == ["B-LOC", "O", "B-ORG"]  # the untagged repeat is filled in too
    tie = [["B-ORG"], ["B-LOC"]]
    ner._propagate([["مالي"], ["مالي"]], tie, [[0.9], [0.9]])
    assert tie == [["B-ORG"], ["B-LOC"]]  # a tie changes nothing


def test_clitic_reading_keeps_letters_of_attested_names() -> None:
    def stem(word: str) -> str:
        return ner_features.token_stem(word)

    assert stem("لبنان") == "لبنان" and stem("ولبنان") == "لبنان"
    assert stem("بغداد") == "بغداد" and stem("وبغداد") == "بغداد"
    assert stem("وبوتين") == "بوتين" and stem("بالرئيس") == "رئيس"
    assert stem("واحد") == "واحد"  # a common word keeps its first letter
    counts = {"لندن": 0.0}
    # unattested readings: a conjunction and the article go, a bare preposition stays
    assert ner_features.choose_stem("ولامبيرت", lambda f: counts.get(f, 0.0)) == ("و", "لامبيرت")
    assert ner_features.choose_stem("والكرملين", lambda f: 0.0) == ("وال", "كرملين")
