"""The forms of imports from partner systems: a partner's mapping (a column heading for
each hub field, a translation for each code list) and a file to import. They parse
only: ``referrals.partner_imports`` checks the mapping and the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from macehub.accounts.models import Agency
from macehub.referrals.codes import PartnerFileKind
from macehub.referrals.models import PartnerMapping
from macehub.referrals.partner_files import CODE_FIELDS, FIELDS_BY_KEY, HUB_FIELDS, hub_codes

REFERRALS_ONLY_HINT = " (referrals only)"


def translation_lines(table: dict[str, str]) -> str:
    return "\n".join(f"{given} = {code}" for given, code in table.items())


class MappingForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Partner agency", queryset=Agency.objects.filter(is_active=True),
        empty_label="Select the partner",
        error_messages={"required": "Select the partner agency"})
    name = forms.CharField(label="Name of the mapping", max_length=200,
                           help_text="For example, the name of the partner's system",
                           error_messages={"required": "Enter a name for the mapping"})
    kind = forms.ChoiceField(label="What the partner's file holds", widget=forms.RadioSelect,
                             choices=PartnerFileKind.choices,
                             error_messages={"required": "Select what the partner's file holds"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in HUB_FIELDS:
            hint = REFERRALS_ONLY_HINT if len(field.kinds) == 1 else ""
            self.fields[f"column_{field.key}"] = forms.CharField(
                label=f"{field.label}{hint}", required=False, max_length=200,
                help_text="Needed" if field.required else "Leave empty if the file has none")
        for key in CODE_FIELDS:
            codes = ", ".join(f"{code} ({name})" for code, name in hub_codes(key).items())
            self.fields[f"translate_{key}"] = forms.CharField(
                label=f"The partner's values for {FIELDS_BY_KEY[key].label.lower()}",
                required=False, widget=forms.Textarea(attrs={"rows": 3}),
                help_text=f"One a line, as: partner's value = hub code. The hub's codes: "
                          f"{codes}. Values the file already writes as the hub's codes need "
                          "no line.")

    @classmethod
    def initial_for(cls, mapping: PartnerMapping) -> dict[str, Any]:
        initial: dict[str, Any] = {"agency": mapping.agency_id, "name": mapping.name,
                                   "kind": mapping.kind}
        initial |= {f"column_{key}": heading for key, heading in mapping.columns.items()}
        initial |= {f"translate_{key}": translation_lines(table)
                    for key, table in mapping.translations.items()}
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in CODE_FIELDS:
            for number, line in enumerate(cleaned.get(f"translate_{key}", "").splitlines(), 1):
                if line.strip() and "=" not in line:
                    self.add_error(f"translate_{key}",
                                   f"Line {number}: write it as the partner's value = hub code")
        return cleaned

    def columns(self) -> dict[str, str]:
        kind = self.cleaned_data["kind"]
        return {field.key: self.cleaned_data[f"column_{field.key}"]
                for field in HUB_FIELDS
                if kind in field.kinds and self.cleaned_data.get(f"column_{field.key}")}

    def translations(self) -> dict[str, dict[str, str]]:
        tables: dict[str, dict[str, str]] = {}
        for key in CODE_FIELDS:
            for line in self.cleaned_data.get(f"translate_{key}", "").splitlines():
                given, _, code = line.partition("=")
                if given.strip():
                    tables.setdefault(key, {})[given.strip()] = code.strip()
        return tables

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{field.key}"] for field in HUB_FIELDS]

    def translation_fields(self) -> list[forms.BoundField]:
        return [self[f"translate_{key}"] for key in CODE_FIELDS]


class PartnerFileForm(forms.Form):
    mapping = forms.ModelChoiceField(
        label="Mapping", queryset=PartnerMapping.objects.none(),
        empty_label="Select how the file reads",
        error_messages={"required": "Select the partner's mapping"})
    file = forms.FileField(
        label="The partner's file", help_text="A CSV file (UTF-8) or an Excel workbook "
        "(.xlsx, its first sheet), with a header row",
        error_messages={"required": "Select the file to import"})

    def __init__(self, *args: Any, mappings: QuerySet[PartnerMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mapping"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = mappings
