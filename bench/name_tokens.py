"""Rebuild the person-name token lists in claims/data/gazetteer.json from the Wikidata list.

Usage::

    .venv/bin/python bench/name_tokens.py  # from ../shared/data/names/wikidata-*.tsv

The NER features (claims/text/ner_features.py) mark a token whose normalised form is a
person-name token (Merhav & Ash 2018, from Wikidata labels, CC0): one list per frequency
band, so a common given name and a rare surname weigh differently. The lists are stored as
space-separated strings under ``person_name_tokens``; the entity loader ignores that key.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.text.arabic import normalize  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "names" / "wikidata-person-name-tokens.tsv"
GAZETTEER = ROOT / "claims" / "data" / "gazetteer.json"
BANDS = (("frequent", 100), ("common", 20), ("rare", 2))  # Wikidata label count, at least


def build(source: Path) -> dict[str, str]:
    """Normalised Arabic spellings per band (a spelling takes its best-attested count)."""
    counts: dict[str, int] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].isdigit():
            continue
        word = normalize(parts[1].replace(" ", ""))
        if len(word) >= 2:
            counts[word] = max(counts.get(word, 0), int(parts[2]))
    out = {
        "source": "Person-name tokens from Wikidata labels (Merhav & Ash, COLING 2018), "
                  "Arabic spellings normalised; CC0 1.0. Built by bench/name_tokens.py.",
    }
    upper = None
    for band, least in BANDS:
        words = sorted(w for w, c in counts.items() if c >= least and (upper is None or c < upper))
        out[band] = " ".join(words)
        upper = least
    return out


def main() -> int:
    """Write the bands into the gazetteer file, keeping its formatting."""
    if not SOURCE.is_file():
        print(f"SKIP: {SOURCE} not found")
        return 0
    data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    data["person_name_tokens"] = build(SOURCE)
    GAZETTEER.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sizes = {band: len(data["person_name_tokens"][band].split()) for band, _ in BANDS}
    print(f"wrote person_name_tokens to {GAZETTEER.name}: {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
