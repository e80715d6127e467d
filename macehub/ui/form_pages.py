"""The one way a page with a form that changes a record answers a POST: the form made
from what was sent, and, when it is valid, the service called. A service's refusal is
shown beside the fields with what the user typed kept; an edit conflict (someone else
saved first) keeps it too and says what they changed; a save puts its message on the
next page. The page decides where to go after a save and what else to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict


@dataclass(frozen=True)
class Answered:
    form: Any
    conflict: EditConflict | None = None
    saved: bool = False

    @property
    def status(self) -> int:
        """400 for a form sent back with errors, so the answer says it was refused."""
        return 400 if self.form.errors else 200


def answer_form(request: HttpRequest, make: Callable[[Any], Any],
                save: Callable[[dict[str, Any]], str], *, conflict_message: str
                ) -> Answered:
    """The form for this request (empty on a GET, as sent on a POST) and, for a valid
    POST, ``save``'s outcome: its message is shown on the next page. ``make`` is given
    the data (None on a GET), and given what was typed again after a conflict."""
    form = make(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return Answered(form)
    try:
        message = save(form.cleaned_data)
    except EditConflict as error:
        return Answered(form_after_conflict(make, request.POST, error, conflict_message),
                        conflict=error)
    except ValidationError as error:
        add_service_errors(form, error)
        return Answered(form)
    messages.success(request, message)
    return Answered(form, saved=True)
