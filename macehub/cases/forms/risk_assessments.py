"""The structured risk assessment form: a rating and note for every domain of the
indicator catalogue, the assessor's judgement and a summary."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.cases.codes import DomainRating, RiskTier
from macehub.cases.forms.fields import ServiceForm
from macehub.cases.reviews import assessment_domains
from macehub.forms import GovukDateField


class RiskAssessmentForm(ServiceForm):
    """A rating and a note for each domain of the indicator catalogue (the fields
    ``rating_<domain>`` and ``note_<domain>``), the judgement, a summary and the date."""

    assessed_on = GovukDateField(label="Date of the assessment", required=False,
                                 help_text="For example, 27 3 2026")
    judgement = forms.ChoiceField(
        label="Your professional judgement of the child's risk tier", required=False,
        widget=forms.RadioSelect, choices=RiskTier.choices,
        help_text="This does not change the case's risk tier: if it differs, the case will "
                  "say so, and the tier is changed on its own",
    )
    summary = forms.CharField(
        label="Summary", required=False, max_length=10000,
        help_text="What the assessment found, what protects the child and what needs to "
                  "change",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = assessment_domains()
        for code, label in self.domains:
            self.fields[f"rating_{code}"] = forms.ChoiceField(
                label=f"{label}: level of concern", required=False, widget=forms.RadioSelect,
                choices=DomainRating.choices,
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=f"{label}: what the rating rests on", required=False, max_length=4000,
                help_text="Required for a medium or high rating",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # As the page asks them (and the error summary lists them): date, domains, judgement.
        self.order_fields(["assessed_on", *[name for name in self.fields
                                            if name.startswith(("rating_", "note_"))]])

    def domain_fields(self) -> list[tuple[str, Any, Any]]:
        """(domain name, rating field, note field) for the template, in catalogue order."""
        return [(label, self[f"rating_{code}"], self[f"note_{code}"])
                for code, label in self.domains]

    @staticmethod
    def ratings_from(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
        """The service's ``ratings`` from cleaned data: domain -> (rating, note)."""
        codes = [name.removeprefix("rating_") for name in data if name.startswith("rating_")]
        return {code: (data.get(f"rating_{code}") or "", data.get(f"note_{code}") or "")
                for code in codes}
