"""The training app's code lists: the tiers of the training framework, the specialist
work a course qualifies someone for, and where a training record came from. The courses
themselves are data (``data/courses.csv``, loaded into ``Course`` by a data migration;
the training lead adds and edits them), not a code list."""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("training_tier", tag_colours={
    "awareness": "blue", "frontline": "turquoise", "specialist": "purple"})
class Tier(CodeList):
    """The tiers of the framework: awareness for every officer and member of staff,
    frontline for those who meet children and referrals, specialist for investigators
    and interviewers."""

    AWARENESS = "awareness", "Awareness"
    FRONTLINE = "frontline", "Frontline"
    SPECIALIST = "specialist", "Specialist"


@code_display("training_allocation", default_colour="grey")
class Allocation(CodeList):
    """Specialist work a person is given that asks for training: the hub warns when the
    person chosen lacks a course that qualifies for it."""

    OFFICER_IN_CASE = "officer_in_case", "Officer in the case of an investigation"
    KEY_WORKER = "key_worker", "A case's key worker"
    ABE_INTERVIEWER = "abe_interviewer", "Achieving Best Evidence interviewer"


@code_display("training_record_source", default_colour="grey")
class RecordSource(CodeList):
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported"
