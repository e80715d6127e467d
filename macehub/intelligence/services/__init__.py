"""Changing intelligence: a partner's submission, a graded report, its review, the
entities it links to, and each dissemination. One transaction each, audited with what
changed; keyword-only, taking the acting user.

Every rule about what may be recorded is checked here, so the pages, the API and the
imports cannot disagree: an unknown grading code, handling code C without its conditions
or without the teams and agencies they allow, an invalid phone number or registration,
or a link to a record the user may not see is refused with a message saying what to put
right, and nothing is saved.

Audit entries carry codes, ids and the lengths of free text, never the text itself: the
audit log must not become a way round a handling code.

One module per stage, each importable from here: ``submissions`` (a partner tells the
hub), ``grading`` (the 3x5x2 grading and how a report's changes are audited and
versioned), ``reports`` (recording and reviewing a report), ``links`` (the people,
places, vehicles, phones, accounts and premises a report links to) and
``dissemination`` (sharing the sanitised text with partner agencies).
"""

from __future__ import annotations

from macehub.intelligence.services.dissemination import (
    and_list,
    disseminate_report,
    disseminate_to_agencies,
)
from macehub.intelligence.services.grading import (
    REPORT_FIELD_LABELS,
    REPORT_VERSIONING,
    Grading,
    check_grading,
)
from macehub.intelligence.services.links import (
    KIND_OF_NEW,
    NOT_FOUND_CHOICE,
    STREET_NAME_LENGTH,
    LinkRequest,
    NewAccount,
    NewEntity,
    NewLocation,
    NewPhone,
    NewPremises,
    NewVehicle,
    link_entity,
    place_on_grid,
    remove_link,
)
from macehub.intelligence.services.reports import NewReport, Review, record_report, review_report
from macehub.intelligence.services.submissions import (
    RECEIVING_ROLES,
    UNREVIEWED_CONDITIONS,
    SubmittedInformation,
    receiving_team,
    submit_information,
)

__all__ = [
    "KIND_OF_NEW",
    "NOT_FOUND_CHOICE",
    "RECEIVING_ROLES",
    "REPORT_FIELD_LABELS",
    "REPORT_VERSIONING",
    "STREET_NAME_LENGTH",
    "UNREVIEWED_CONDITIONS",
    "Grading",
    "LinkRequest",
    "NewAccount",
    "NewEntity",
    "NewLocation",
    "NewPhone",
    "NewPremises",
    "NewReport",
    "NewVehicle",
    "Review",
    "SubmittedInformation",
    "and_list",
    "check_grading",
    "disseminate_report",
    "disseminate_to_agencies",
    "link_entity",
    "place_on_grid",
    "receiving_team",
    "record_report",
    "remove_link",
    "review_report",
    "submit_information",
]
