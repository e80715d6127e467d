"""The network page's filters: how many steps out from where it starts, the period the
reports were received in, the kinds of link, and the weakest grading counted. A GET form
(the filters are in the address, so a network can be shared and exported as shown)."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.forms import check_date_range, date_range
from macehub.intelligence.codes import IntelligenceAssessment, SourceEvaluation
from macehub.networks.codes import EdgeKind
from macehub.networks.graph import NetworkFilters

STEPS = (1, 2, 3)
DEFAULT_STEPS = 2

# The grading filters, strictest last, each option naming what it keeps: the weakest
# code on the list is every report (historic 5x5x5 reports included).
SOURCE_CHOICES = [
    (SourceEvaluation.NOT_RELIABLE, "Any source evaluation"),
    (SourceEvaluation.UNTESTED, "2 – Untested, or better"),
    (SourceEvaluation.RELIABLE, "1 – Reliable only"),
]
ASSESSMENT_CHOICES = [
    (IntelligenceAssessment.SUSPECTED_FALSE, "Any intelligence assessment"),
    (IntelligenceAssessment.NOT_KNOWN, "D – Not known, or better"),
    (IntelligenceAssessment.KNOWN_INDIRECTLY, "C – Known indirectly, or better"),
    (IntelligenceAssessment.KNOWN_INDIRECTLY_CORROBORATED,
     "B – Known indirectly and corroborated, or better"),
    (IntelligenceAssessment.KNOWN_DIRECTLY, "A – Known directly to the source only"),
]
# A stricter grading also leaves out historic reports, which have no 3x5x2 grading to
# pass it on (``NetworkFilters.reports``): the hint says so.
SOURCE_HINT = ("How reliable the source must be. Anything stricter than “any” also leaves out "
               "historic 5x5x5 reports.")
ASSESSMENT_HINT = ("How the source must know it. Anything stricter than “any” also leaves out "
                   "historic 5x5x5 reports.")


class NetworkFilterForm(forms.Form):
    steps = forms.TypedChoiceField(
        label="Steps out", coerce=int, initial=DEFAULT_STEPS, required=False,
        choices=[(step, str(step)) for step in STEPS], widget=forms.RadioSelect,
        help_text="One step is from a person or thing to each report that names them, and "
                  "on to everything that report names.",
        error_messages={"invalid_choice": "Select 1, 2 or 3 steps out"},
    )
    received_from, received_to = date_range("Reports received")
    edge_kinds = forms.MultipleChoiceField(
        label="Kinds of link", required=False, choices=EdgeKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked for every kind.",
        error_messages={"invalid_choice": "Select kinds of link from the list"},
    )
    weakest_source = forms.ChoiceField(
        label="Weakest source evaluation", choices=SOURCE_CHOICES, required=False,
        help_text=SOURCE_HINT,
        error_messages={"invalid_choice": "Select a source evaluation from the list"},
    )
    weakest_assessment = forms.ChoiceField(
        label="Weakest intelligence assessment", choices=ASSESSMENT_CHOICES, required=False,
        help_text=ASSESSMENT_HINT,
        error_messages={"invalid_choice": "Select an intelligence assessment from the list"},
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The page unfiltered is the form unbound: it shows the defaults, and asks for
        # nothing (a link from a person's page carries no filters).
        super().__init__(data or None, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("steps", DEFAULT_STEPS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_date_range(self, "received_from", "received_to",
                         "Reports received to must be the same as or after reports "
                         "received from")
        return cleaned

    def steps_out(self) -> int:
        if not self.is_bound or not self.is_valid():
            return DEFAULT_STEPS
        return int(self.cleaned_data.get("steps") or DEFAULT_STEPS)

    def filters(self) -> NetworkFilters:
        """The filters asked for; none while the form is unbound or has errors."""
        if not self.is_bound or not self.is_valid():
            return NetworkFilters()
        data = self.cleaned_data
        kinds = frozenset(data.get("edge_kinds") or EdgeKind.values)
        return NetworkFilters(
            since=data.get("received_from"), until=data.get("received_to"),
            edge_kinds=kinds,
            weakest_source=data.get("weakest_source") or SourceEvaluation.NOT_RELIABLE,
            weakest_assessment=(data.get("weakest_assessment")
                                or IntelligenceAssessment.SUSPECTED_FALSE),
        )
