"""The decision on a proposed group, and a group's exploitation model. Parse only:
``networks.groups.decide_group`` decides (a reason for either choice) and
``change_group_exploitation_model`` records the model."""

from __future__ import annotations

from django import forms

from macehub.cases.codes import ExploitationModel
from macehub.networks.codes import GroupStatus


class GroupDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is this group-based child sexual exploitation?",
        choices=[(GroupStatus.CONFIRMED, "Yes, confirm the group"),
                 (GroupStatus.REJECTED, "No, reject it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to confirm or reject the group"},
    )
    reason = forms.CharField(
        label="Why", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What in the evidence settles it. Everyone who reads the group, and the "
                  "children's records, will see it.",
    )
    exploitation_model = forms.ChoiceField(
        label="How does the group exploit children?", required=False,
        choices=[("", "Not recorded"), *ExploitationModel.choices], widget=forms.RadioSelect,
        help_text="The exploitation model, as the problem profile counts it",
        error_messages={"invalid_choice": "Choose the exploitation model from the list"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class GroupModelForm(forms.Form):
    exploitation_model = forms.ChoiceField(
        label="How does the group exploit children?", required=False,
        choices=[("", "Not recorded"), *ExploitationModel.choices], widget=forms.RadioSelect,
        help_text="The exploitation model, as the problem profile counts it",
        error_messages={"invalid_choice": "Choose the exploitation model from the list"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
