"""How much may be typed into a search box: one limit for every search the hub offers
(pages and API), defined here once.

Each word searched for becomes several conditions in one query (a phonetic key, a
prefix, a trigram match, on names and aliases), so unbounded text builds a query the
database refuses ("Expression tree is too large") or takes long to answer. A search is
at most ``MAX_SEARCH_CHARACTERS`` characters and ``MAX_SEARCH_WORDS`` words; beyond
that the page shows an error (what was typed kept) and the API answers 400 naming the
parameter (as for a null character, which no search may hold). A word is a run of
letters or digits, so "Smith-Jones" is two: every search splits text at least that
finely, so no search sees more words than are counted here.

The search functions themselves refuse text beyond the limits (``SearchTextTooLong``)
as a last guard: a page or API that reaches it has skipped its own check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

MAX_SEARCH_CHARACTERS = 200
MAX_SEARCH_WORDS = 10

_WORD = re.compile(r"[^\W_]+")


class SearchTextTooLong(ValueError):
    """Text beyond the search limits reached a search function."""


def search_words(text: str) -> list[str]:
    return _WORD.findall(text)


def search_text_problem(text: str, *, label: str = "Search text",
                        max_characters: int = MAX_SEARCH_CHARACTERS) -> str | None:
    """What is wrong with ``text`` as a search, in GOV.UK's words, naming ``label``; or
    None when it is within the limits. ``max_characters`` may only be stricter."""
    max_characters = min(max_characters, MAX_SEARCH_CHARACTERS)
    if "\x00" in text:  # PostgreSQL refuses it in a query; a page's field refuses it too
        return f"{label} must not contain null characters"
    if len(text) > max_characters:
        return f"{label} must be {max_characters} characters or fewer"
    if len(search_words(text)) > MAX_SEARCH_WORDS:
        return f"{label} must be {MAX_SEARCH_WORDS} words or fewer"
    return None


def require_search_text_within_limits(*texts: str) -> None:
    """The search functions' own guard: raise ``SearchTextTooLong`` for text beyond the
    limits rather than send it to the database."""
    for text in texts:
        problem = search_text_problem(text)
        if problem:
            raise SearchTextTooLong(problem)


def search_text_errors(parameters: Mapping[str, str]) -> dict[str, list[str]]:
    """The API's check: each query parameter beyond the limits, with its message naming
    it (``{"q": ["q must be 10 words or fewer"]}``); empty when all are within them."""
    errors = {}
    for name, text in parameters.items():
        problem = search_text_problem(text, label=name)
        if problem:
            errors[name] = [problem]
    return errors


class SearchTextField(forms.CharField):
    """A search box's field: text within the limits, or an error naming the field.

    ``max_length`` may set a stricter character limit (an identifier's, say). No
    ``maxlength`` attribute is put on the input: a browser would cut pasted text short
    without a word, where the error says what to change (GOV.UK's advice).
    """

    def __init__(self, *, max_length: int = MAX_SEARCH_CHARACTERS, **kwargs: Any) -> None:
        if max_length > MAX_SEARCH_CHARACTERS:
            raise ValueError(f"A search is at most {MAX_SEARCH_CHARACTERS} characters")
        self.max_characters = max_length
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = search_text_problem(
            value or "", label=str(self.label or "Search"), max_characters=self.max_characters
        )
        if problem:
            raise ValidationError(problem, code="search_too_long")
