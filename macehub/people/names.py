"""Spelling-tolerant keys and similarity for personal names.

A phonetic key (Metaphone) is stored beside every name so that "Mohammed", "Muhammad"
and "Mohamed" can be found by an indexed lookup on any database; candidates are then
ranked by Jaro-Winkler similarity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

from macehub.people.codelists import read_code_list


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


# --- Forms of one name --------------------------------------------------------------------

# Forms of a name that agencies record for one person, as data (``data/
# name_variants.csv``): a given name and the nicknames a worker or a young person uses
# instead ("nickname"), and spellings of one name ("spelling", the first row's name
# first). Matching treats two forms of one name as the same name.
NAME_VARIANTS_FILE = "name_variants.csv"


@dataclass(frozen=True)
class NameVariants:
    nicknames: dict[str, tuple[str, ...]]
    spellings: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def name_variants() -> NameVariants:
    """The forms of names in ``NAME_VARIANTS_FILE``, in the file's order."""
    nicknames: dict[str, tuple[str, ...]] = {}
    spellings: list[tuple[str, ...]] = []
    for row in read_code_list(NAME_VARIANTS_FILE):
        forms = tuple(form for form in row["variants"].split("|") if form)
        if row["kind"] == "nickname":
            nicknames[row["name"]] = forms
        elif row["kind"] == "spelling":
            spellings.append((row["name"], *forms))
        else:
            raise ValueError(f"{NAME_VARIANTS_FILE}: unknown kind {row['kind']!r}")
    return NameVariants(nicknames=nicknames, spellings=tuple(spellings))


@lru_cache(maxsize=1)
def _name_roots() -> dict[str, frozenset[str]]:
    roots: dict[str, set[str]] = {}
    variants = name_variants()
    groups = [(name, (name, *forms)) for name, forms in variants.nicknames.items()]
    groups += [(group[0], group) for group in variants.spellings]
    for root, members in groups:
        for member in members:
            roots.setdefault(fold(member), set()).add(fold(root))
    return {name: frozenset(found) for name, found in roots.items()}


def name_roots(name: str) -> frozenset[str]:
    """The names ``name`` is a known form of (folded), itself included when it is one:
    two names sharing a root are one name ("Sam" and "Samuel", "Izzy" and "Isabella",
    "Mo" and "Muhammad"). Empty for a name with no known forms."""
    return _name_roots().get(fold(name), frozenset())
