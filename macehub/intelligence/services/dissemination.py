"""Sharing a reviewed report's sanitised text with partner agencies, under its handling
code and conditions and a lawful basis: one dissemination each, all or nothing. Each
names the information-sharing agreement between the report's agency and the receiving
agency that it relies on, or, where no agreement in force covers the two, why it was
shared without one (``governance.sharing_services.agreement_relied_on``: a share to
safeguard a child is never refused for want of paperwork)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import ServiceRefused
from macehub.governance.sharing_services import agreement_relied_on
from macehub.intelligence.codes import HandlingCode, LawfulBasis, ReportStatus
from macehub.intelligence.models import Dissemination
from macehub.intelligence.services.grading import _text_summary
from macehub.intelligence.services.reports import _report_for_change


@transaction.atomic
def disseminate_report(
    *,
    actor: User,
    report_pk: int,
    to_agency_pk: int,
    lawful_basis: str,
    agreement_pks: tuple[int, ...] | list[int] = (),
    reason_without_agreement: str = "",
    now: dt.datetime | None = None,
) -> Dissemination:
    """Share a reviewed report's sanitised text with one partner agency (see
    ``disseminate_to_agencies``)."""
    return disseminate_to_agencies(actor=actor, report_pk=report_pk,
                                   to_agency_pks=(to_agency_pk,), lawful_basis=lawful_basis,
                                   agreement_pks=agreement_pks,
                                   reason_without_agreement=reason_without_agreement,
                                   now=now)[0]


@transaction.atomic
def disseminate_to_agencies(
    *,
    actor: User,
    report_pk: int,
    to_agency_pks: tuple[int, ...] | list[int],
    lawful_basis: str,
    agreement_pks: tuple[int, ...] | list[int] = (),
    reason_without_agreement: str = "",
    now: dt.datetime | None = None,
) -> list[Dissemination]:
    """Share a reviewed report's sanitised text with one or more partner agencies: one
    dissemination each, recording what was shared, under which handling code and
    conditions, and on what lawful basis. A report with handling code C goes only to
    agencies its conditions name. All or nothing: if one agency may not have it, none is
    shared with."""
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_DISSEMINATE)
    if report.status != ReportStatus.REVIEWED or not report.sanitised_text.strip():
        raise ServiceRefused(
            "Review and sanitise the report before sharing it", field="to_agency"
        )
    wanted = list(dict.fromkeys(to_agency_pks))
    if not wanted:
        raise ServiceRefused("Choose the agencies to share it with", field="to_agency")
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=wanted,
                                                                       is_active=True)}
    if len(agencies) != len(wanted):
        raise ServiceRefused("Choose the agencies to share it with from the list",
                             field="to_agency")
    if lawful_basis not in LawfulBasis.values:
        raise ServiceRefused("Select the lawful basis for sharing",
                             field="lawful_basis")
    if report.handling_code == HandlingCode.CONDITIONS:
        named = set(report.permitted_agencies.values_list("pk", flat=True))
        refused = [agencies[pk].name for pk in wanted if pk not in named]
        if refused:
            raise ServiceRefused(
                f"The handling conditions of this report do not name {and_list(refused)}. Share "
                "it only with agencies its conditions name, or change its handling at review",
                field="to_agency",
            )
    shared_at = now or timezone.now()
    relied_on = {pk: agreement_relied_on(
        from_agency_pk=report.owning_team.agency_id, to_agency=agencies[pk],
        chosen_pks=agreement_pks,
        reason_without=reason_without_agreement, field="agreements",
        day=timezone.localdate(shared_at))
        for pk in wanted}
    shared = []
    for pk in wanted:
        agency = agencies[pk]
        agreement = relied_on[pk]
        dissemination = Dissemination.objects.create(
            report=report,
            to_agency=agency,
            shared_text=report.sanitised_text,
            handling_code=report.handling_code,
            handling_conditions=report.handling_conditions,
            lawful_basis=lawful_basis,
            agreement=agreement,
            reason_without_agreement=(reason_without_agreement.strip()
                                      if agreement is None else ""),
            shared_by=actor,
            shared_at=shared_at,
        )
        record_event(
            event_type=EventType.CREATE, actor=actor, record=dissemination,
            detail={"report": report.reference, "to_agency": agency.pk,
                    "handling_code": report.handling_code, "lawful_basis": lawful_basis,
                    "agreement": agreement.reference if agreement else None,
                    "reason_without_agreement": dissemination.reason_without_agreement,
                    "shared_text": _text_summary(report.sanitised_text)},
        )
        shared.append(dissemination)
    return shared


def and_list(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
