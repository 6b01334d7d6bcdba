"""camel-tools morphology as an optional backend of claims.text.arabic, absent and present.

The present case uses a tiny ALMOR-format database (three stems, three prefixes) and a
catalogue written here, in a subprocess with ``CAMELTOOLS_DATA`` pointing at it and every
socket connection refused, so nothing can be downloaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# ALMOR database sections in the order camel_tools.morphology.database parses them.
TINY_DB = "\n".join([
    "###DEFINES###",
    "DEFINE pos pos:noun pos:noun_prop pos:verb pos:conj pos:det",
    "DEFINE lex lex:*open*",
    "DEFINE diac diac:*open*",
    "DEFINE bw bw:*open*",
    "DEFINE gloss gloss:*open*",
    "###DEFAULTS###",
    "DEFAULT pos:noun lex:* diac:* bw:* gloss:*",
    "DEFAULT pos:digit lex:* diac:* bw:* gloss:*",
    "DEFAULT pos:punc lex:* diac:* bw:* gloss:*",
    "DEFAULT pos:latin lex:* diac:* bw:* gloss:*",
    "###ORDER###",
    "ORDER pos diac lex bw gloss",
    "###TOKENIZATIONS###",
    "TOKENIZATION diac",
    "###STEMBACKOFF###",
    "###PREFIXES###",
    "\tPref-0\tdiac: bw: gloss:",
    "و\tPref-Wa\tdiac:وَ bw:وَ/CONJ+ gloss:and",
    "ال\tPref-Al\tdiac:ال bw:ال/DET+ gloss:the",
    "وال\tPref-WaAl\tdiac:وَال bw:وَ/CONJ+ال/DET+ gloss:and_the",
    "###SUFFIXES###",
    "\tSuff-0\tdiac: bw: gloss:",
    "###STEMS###",
    "كتاب\tN\tdiac:كِتاب lex:كِتاب_1 bw:كِتاب/NOUN pos:noun gloss:book",
    "بوتين\tNP\tdiac:بُوتِين lex:بُوتِين_1 bw:بُوتِين/NOUN_PROP pos:noun_prop gloss:Putin",
    "قال\tPV\tdiac:قالَ lex:قال_1 bw:قالَ/PV pos:verb gloss:say",
    "###TABLE AB###",
    "Pref-0 N",
    "Pref-0 NP",
    "Pref-0 PV",
    "Pref-Wa N",
    "Pref-Wa NP",
    "Pref-Wa PV",
    "Pref-Al N",
    "Pref-WaAl N",
    "###TABLE BC###",
    "N Suff-0",
    "NP Suff-0",
    "PV Suff-0",
    "###TABLE AC###",
    "Pref-0 Suff-0",
    "Pref-Wa Suff-0",
    "Pref-Al Suff-0",
    "Pref-WaAl Suff-0",
    "",
])

CATALOGUE = {
    "version": "1.6",
    "packages": {},
    "components": {
        "MorphologyDB": {
            "default": "tiny-r1",
            "datasets": {"tiny-r1": {"path": "morphology_db/tiny-r1"}},
        },
    },
}

# Runs in the child: refuse every connection, then exercise the adapter.
PROBE = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network is off in this test")

socket.socket.connect = refuse
socket.create_connection = refuse

from claims.text import arabic

result = {
    "available": arabic.morphology_available(),
    "ner": arabic.ner_available(),
    "lemma_kitab": arabic.lemmatise("والكتاب"),
    "lemma_putin": arabic.lemmatise("وبُوتِين"),
    "pos": sorted({a.get("pos") for a in arabic.analyse("بوتين")}),
    "unknown": arabic.analyse("زززز"),
    "torch": "torch" in sys.modules,
}
print(json.dumps(result, ensure_ascii=False))
"""


def _run(data_dir: Path, home: Path) -> dict[str, object]:
    env = {**os.environ, "CAMELTOOLS_DATA": str(data_dir), "HOME": str(home)}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env=env, timeout=120, check=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_morphology_absent(tmp_path: Path) -> None:
    empty = tmp_path / "no-data"
    empty.mkdir()
    result = _run(empty, tmp_path)
    assert result["available"] is False and result["ner"] is False
    assert result["lemma_kitab"] is None and result["pos"] == [] and result["unknown"] == []
    assert not (empty / "catalogue.json").exists()  # nothing was fetched


def test_morphology_present_with_a_tiny_almor_database(tmp_path: Path) -> None:
    data = tmp_path / "camel"
    db_dir = data / "data" / "morphology_db" / "tiny-r1"
    db_dir.mkdir(parents=True)
    (db_dir / "morphology.db").write_text(TINY_DB, encoding="utf-8")
    (data / "catalogue.json").write_text(json.dumps(CATALOGUE), encoding="utf-8")
    result = _run(data, tmp_path)
    assert result["available"] is True
    assert result["ner"] is False  # the catalogue lists no NER model, so no torch
    assert result["lemma_kitab"] == "كتاب"  # وال + كتاب, found through the database
    assert result["lemma_putin"] == "بوتين"
    assert result["pos"] == ["noun_prop"]
    assert result["unknown"] == []
    assert result["torch"] is False
