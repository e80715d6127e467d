"""The one limit on search text: characters, words (as every search splits them), the
messages naming the field, the form field and the search functions' own guard."""

from __future__ import annotations

import pytest
from django import forms

from macehub.core.search_text import (
    MAX_SEARCH_CHARACTERS,
    MAX_SEARCH_WORDS,
    SearchTextField,
    SearchTextTooLong,
    require_search_text_within_limits,
    search_text_errors,
    search_text_problem,
    search_words,
)

TEN_WORDS = "Jordan Lee Smith-Jones O'Neil Zoë Brown 07700 XB01ABC"
ELEVEN_WORDS = TEN_WORDS + " Evans"


def test_the_limits_are_two_hundred_characters_and_ten_words() -> None:
    assert (MAX_SEARCH_CHARACTERS, MAX_SEARCH_WORDS) == (200, 10)


def test_a_word_is_a_run_of_letters_or_digits() -> None:
    assert search_words(TEN_WORDS) == ["Jordan", "Lee", "Smith", "Jones", "O", "Neil", "Zoë",
                                       "Brown", "07700", "XB01ABC"]
    assert search_words("a,b.c/d-e f_g") == ["a", "b", "c", "d", "e", "f", "g"]
    assert search_words("  --  ") == []


@pytest.mark.parametrize(("text", "problem"), [
    ("", None),
    ("x" * 200, None),
    ("x" * 201, "Name must be 200 characters or fewer"),
    (" ".join(["word"] * 1500), "Name must be 200 characters or fewer"),
    ("one two three four five six seven eight nine ten", None),
    ("Jordan\x00", "Name must not contain null characters"),
    ("one two three four five six seven eight nine ten eleven",
     "Name must be 10 words or fewer"),
    ("a-b-c-d-e-f-g-h-i-j-k", "Name must be 10 words or fewer"),
])
def test_problems_are_named_in_govuk_words(text: str, problem: str | None) -> None:
    assert search_text_problem(text, label="Name") == problem


def test_a_stricter_character_limit_may_be_set_never_a_looser_one() -> None:
    assert search_text_problem("x" * 41, label="Identifier", max_characters=40) == (
        "Identifier must be 40 characters or fewer")
    assert search_text_problem("x" * 201, label="Q", max_characters=500) == (
        "Q must be 200 characters or fewer")
    with pytest.raises(ValueError, match="at most 200"):
        SearchTextField(max_length=201)


def test_api_errors_name_each_parameter() -> None:
    assert search_text_errors({"q": "Jordan", "identifier": ""}) == {}
    assert search_text_errors({"q": "x" * 201, "identifier": "1 2 3 4 5 6 7 8 9 10 11"}) == {
        "q": ["q must be 200 characters or fewer"],
        "identifier": ["identifier must be 10 words or fewer"],
    }


class _SearchForm(forms.Form):
    q = SearchTextField(label="Name or alias", required=False)
    identifier = SearchTextField(label="Identifier", required=False, max_length=40)


def test_the_field_refuses_text_beyond_the_limits_with_its_label() -> None:
    form = _SearchForm({"q": ELEVEN_WORDS, "identifier": "x" * 41})
    assert not form.is_valid()
    assert form.errors == {"q": ["Name or alias must be 10 words or fewer"],
                           "identifier": ["Identifier must be 40 characters or fewer"]}
    assert _SearchForm({"q": f"  {TEN_WORDS}  ", "identifier": "943 476 5919"}).is_valid()


def test_the_field_puts_no_maxlength_on_the_input() -> None:
    assert "maxlength" not in str(_SearchForm()["q"])


def test_the_search_functions_guard() -> None:
    require_search_text_within_limits("Jordan", "943 476 5919", "")
    with pytest.raises(SearchTextTooLong, match="200 characters"):
        require_search_text_within_limits("Jordan", " ".join(["word"] * 1500))
    with pytest.raises(SearchTextTooLong, match="10 words"):
        require_search_text_within_limits(ELEVEN_WORDS)
