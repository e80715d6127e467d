"""Spelling-tolerant keys and similarity for personal names.

A phonetic key (Metaphone) is stored beside every name so that "Mohammed", "Muhammad"
and "Mohamed" can be found by an indexed lookup on any database; candidates are then
ranked by Jaro-Winkler similarity.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish


def fold(name: str) -> str:
    """Lower case, accents removed, only letters kept."""
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode().lower())


# Names repeat (a national set of a million people has a few thousand family names), and
# the key is worked out for every person and alias written and every name searched.
@lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    folded = fold(name)
    return jellyfish.metaphone(folded)[:40] if folded else ""


def name_similarity(left: str, right: str) -> float:
    a, b = fold(left), fold(right)
    if not a or not b:
        return 0.0
    return float(jellyfish.jaro_winkler_similarity(a, b))
