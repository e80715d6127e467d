"""The answers the referral pages share: yes or no, with or without "I do not know"."""

from __future__ import annotations

from django import forms

YES_NO = [("yes", "Yes"), ("no", "No")]
NOT_KNOWN_ANSWER = "not_known"
YES_NO_NOT_KNOWN = [*YES_NO, (NOT_KNOWN_ANSWER, "I do not know")]
NEW_CHILD = "new"
NO_TIER = "none"


def _yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, help_text=help_text,
        coerce=lambda value: value == "yes", empty_value=None,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def _answer(value: str) -> bool | None:
    """"yes" -> True, "no" -> False, "not_known" -> None (an answer, not a "no")."""
    return {"yes": True, "no": False}.get(value)


def _yes_no_not_known(label: str, required_message: str,
                      help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO_NOT_KNOWN, widget=forms.RadioSelect, help_text=help_text,
        coerce=_answer, empty_value=None,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )
