"""The one way to change the register of information-sharing agreements, and the rule
every share asks of it (``agreement_relied_on``). Each service is keyword-only with the
acting user first; in one transaction it validates, checks the version the user saw
(on a change), writes and records the audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import Versioning, plain_words
from macehub.governance.codes import AgreementBasis, DataCategory
from macehub.governance.sharing import SharingAgreement

REFERENCE_KIND = "ISA"
TITLE_LENGTH = SharingAgreement._meta.get_field("title").max_length or 200
DOCUMENT_LENGTH = SharingAgreement._meta.get_field("document_reference").max_length or 200

AGREEMENT_VERSIONING = Versioning(
    history=saves_after,
    labels={"title": "Title", "parties": "Parties", "purpose": "Purpose",
            "lawful_basis": "Lawful basis", "data_categories": "Data categories",
            "signed_on": "Signed on", "review_on": "Review date", "ended_on": "Ended on",
            "document_reference": "Document reference"},
    words=lambda _name, value: plain_words(value))


@dataclass(frozen=True)
class AgreementTerms:
    """What an agreement says, as the page gives it."""

    title: str
    party_pks: Sequence[int]
    purpose: str
    lawful_basis: str
    data_categories: Sequence[str]
    signed_on: dt.date | None
    review_on: dt.date | None
    ended_on: dt.date | None = None
    document_reference: str = ""


def _validated(terms: AgreementTerms) -> tuple[dict[str, str], list[Agency]]:
    errors: dict[str, str] = {}
    title = terms.title.strip()
    if not title:
        errors["title"] = "Enter the agreement's title"
    elif len(title) > TITLE_LENGTH:
        errors["title"] = f"The title must be {TITLE_LENGTH} characters or fewer"
    wanted = list(dict.fromkeys(terms.party_pks))
    parties = list(Agency.objects.filter(pk__in=wanted, is_active=True).order_by("name"))
    if len(parties) != len(wanted):
        errors["parties"] = "Choose the agencies from the list"
    elif len(parties) < 2:
        errors["parties"] = "Choose at least two agencies that are party to the agreement"
    if not terms.purpose.strip():
        errors["purpose"] = "Enter what the sharing is for"
    if terms.lawful_basis not in AgreementBasis.values:
        errors["lawful_basis"] = "Select the lawful basis for the sharing"
    if not terms.data_categories:
        errors["data_categories"] = "Select the categories of data shared"
    elif any(code not in DataCategory.values for code in terms.data_categories):
        errors["data_categories"] = "Select the categories of data from the list"
    if terms.signed_on is None:
        errors["signed_on"] = "Enter the date the agreement was signed"
    elif terms.signed_on > timezone.localdate():
        errors["signed_on"] = "The date signed must be today or in the past"
    if terms.review_on is None:
        errors["review_on"] = "Enter the date the agreement is due for review"
    elif terms.signed_on is not None and terms.review_on <= terms.signed_on:
        errors["review_on"] = "The review date must be after the date signed"
    if (terms.ended_on is not None and terms.signed_on is not None
            and terms.ended_on < terms.signed_on):
        errors["ended_on"] = "The date it ended must be on or after the date signed"
    if len(terms.document_reference.strip()) > DOCUMENT_LENGTH:
        errors["document_reference"] = (f"The document reference must be {DOCUMENT_LENGTH} "
                                         f"characters or fewer")
    return errors, parties


def _ordered_categories(codes: Sequence[str]) -> list[str]:
    return [code for code in DataCategory.values if code in set(codes)]


def _as_recorded(agreement: SharingAgreement, parties: Sequence[Agency]) -> dict[str, object]:
    return {
        "title": agreement.title, "parties": [agency.name for agency in parties],
        "purpose": agreement.purpose, "lawful_basis": agreement.lawful_basis,
        "data_categories": list(agreement.data_categories),
        "signed_on": agreement.signed_on.isoformat(),
        "review_on": agreement.review_on.isoformat(),
        "ended_on": agreement.ended_on.isoformat() if agreement.ended_on else None,
        "document_reference": agreement.document_reference,
    }


def _apply(agreement: SharingAgreement, terms: AgreementTerms) -> None:
    """Write the (validated) terms onto the agreement."""
    if terms.signed_on is None or terms.review_on is None:  # refused by _validated
        raise ValidationError("Enter the dates")
    agreement.title = terms.title.strip()
    agreement.purpose = terms.purpose.strip()
    agreement.lawful_basis = terms.lawful_basis
    agreement.data_categories = _ordered_categories(terms.data_categories)
    agreement.signed_on, agreement.review_on = terms.signed_on, terms.review_on
    agreement.ended_on = terms.ended_on
    agreement.document_reference = terms.document_reference.strip()


@transaction.atomic
def record_agreement(*, actor: User, terms: AgreementTerms) -> SharingAgreement:
    """Add an agreement to the register."""
    policy.require(actor, Action.SHARING_AGREEMENT_MANAGE)
    errors, parties = _validated(terms)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    agreement = SharingAgreement(created_by=actor, created_at=now)
    _apply(agreement, terms)
    save_with_reference(agreement, kind=REFERENCE_KIND, year=now.year)
    agreement.parties.set(parties)
    record_event(event_type=EventType.CREATE, actor=actor, record=agreement,
                 detail=_as_recorded(agreement, parties))
    return agreement


@transaction.atomic
def change_agreement(*, actor: User, agreement_pk: int, expected_version: int,
                     terms: AgreementTerms) -> SharingAgreement:
    """Change an agreement (after a review, a new party, its end), refusing a change
    made from a version someone else has since changed."""
    agreement = policy.get_or_404(
        actor, Action.SHARING_AGREEMENT_MANAGE,
        SharingAgreement.objects.select_for_update(of=("self",)), pk=agreement_pk)
    AGREEMENT_VERSIONING.check(agreement, expected_version)
    errors, parties = _validated(terms)
    if errors:
        raise ValidationError(errors)
    before = _as_recorded(agreement, list(agreement.parties.order_by("name")))
    _apply(agreement, terms)
    AGREEMENT_VERSIONING.save(agreement, expected_version=expected_version)
    agreement.parties.set(parties)
    after = _as_recorded(agreement, parties)
    record_event(event_type=EventType.CHANGE, actor=actor, record=agreement, detail={
        "changes": changed_values(before, after), "version": agreement.version})
    return agreement


def agreements_covering(from_agency_pk: int | None, to_agency_pk: int,
                        day: dt.date | None = None) -> list[SharingAgreement]:
    """The agreements in force on the day whose parties include both agencies: what a
    share between them may name."""
    pks = [pk for pk in (from_agency_pk, to_agency_pk) if pk is not None]
    return list(SharingAgreement.objects.covering(day or timezone.localdate(), *pks)
                .order_by("reference"))


def agreement_relied_on(*, from_agency_pk: int | None, to_agency: Agency,
                        chosen_pks: Sequence[int], reason_without: str,
                        field: str = "agreement", day: dt.date | None = None
                        ) -> SharingAgreement | None:
    """The agreement a share from one agency to another relies on: of the agreements
    chosen (a page may share with several agencies at once and name one agreement for
    each), the one in force that covers both; or None where no agreement covers them
    and the user said why it is shared anyway. Refuses (``ServiceRefused`` on
    ``field``) a share with no chosen agreement covering the two where one exists, and
    one with neither an agreement nor a reason.

    Why a share with no agreement is allowed rather than refused: an agreement
    documents sharing that is lawful without it (a child at risk is safeguarded under
    the Children Acts and DPA 2018 Sch. 1 para 18 whether or not the partners have
    signed anything), so refusing would leave a child unprotected because paperwork is
    missing. The hub records instead why it was shared, and information governance sees
    those shares by the agreement they lack."""
    covering = agreements_covering(from_agency_pk, to_agency.pk, day)
    chosen = [agreement for agreement in covering if agreement.pk in set(chosen_pks)]
    if chosen:
        return chosen[0]
    if covering:
        raise ServiceRefused(f"Choose the sharing agreement that covers sharing with "
                             f"{to_agency.name}", field=field)
    if not reason_without.strip():
        raise ServiceRefused(f"No agreement in force covers sharing with {to_agency.name}: "
                             f"say why it is shared without one", field=field)
    return None

