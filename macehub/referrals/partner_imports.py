"""Importing children and referrals from a partner system's export, from a page or
``manage.py import_partner_file``.

A mapping per partner says how its file reads (``PartnerMapping``; ``save_mapping``).
``start_import`` checks the whole file as it is uploaded (``partner_files.check_file``):
one bad row refuses the file, every problem by row and column, and nothing is written.
A file that passes is kept as checked rows on a ``PartnerImport`` and imported in the
background (``run_partner_import``, django-tasks), a chunk of rows at a time, the rows
done saved after each for the import's page to show. Children are written in bulk;
referrals go one by one through the intake service (``submit_referral``: screening,
clocks and reference as for any referral), with the partner as the referrer's agency.
Each record made is audited, as are the upload and the import.

Each child recorded is then linked against the people the hub already held
(``people.matching.propose_matches_for_new``): likely matches wait in the match review
queue for a person to decide; nothing is merged. The report says how many rows matched
whom and how many were new.

The rows are checked before anything is written, so an import that stops part way is
rare (the database going away): then what it had made is removed again and the import
marked failed, so a file is imported whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event, record_events_for_each
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.people.codes import IdentifierKind
from macehub.people.matching import propose_matches_for_new
from macehub.people.models import Person, PersonAddress, PersonIdentifier
from macehub.people.names import name_key
from macehub.people.search_index import index_new_people
from macehub.people.services import PersonDetails
from macehub.referrals.codes import (
    ExploitationModel,
    PartnerFileKind,
    PartnerImportStatus,
    ReferralStatus,
)
from macehub.referrals.models import PartnerImport, PartnerMapping, Referral
from macehub.referrals.partner_files import (
    CODE_FIELDS,
    FIELDS_BY_KEY,
    check_file,
    fields_for,
    hub_codes,
)
from macehub.referrals.services.submission import ChildAddress, ReferralSubmission, submit_referral

logger = logging.getLogger(__name__)

# Rows written per transaction; the page shows how far it has got after each.
CHUNK = 1_000
# Rows of the report's list of matches kept (the counts cover every row).
MATCHES_LISTED = 500


# --- Mappings --------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingDetails:
    agency_pk: int
    name: str
    kind: str
    columns: Mapping[str, str]  # hub field: the partner's column heading
    translations: Mapping[str, Mapping[str, str]]  # code field: {partner value: hub code}


MAPPING_LABELS = {"agency": "Partner", "name": "Name", "kind": "What the file holds",
                  "columns": "Columns", "translations": "Translations of codes"}
MAPPING_VERSIONING = Versioning(
    history=saves_after, labels=MAPPING_LABELS,
    words=lambda name, value: BLANK if value in (None, "", {}) else plain_words(value))


def _check_mapping(details: MappingDetails) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = "Enter a name for the mapping"
    if details.kind not in PartnerFileKind.values:
        errors["kind"] = "Select what the partner's file holds"
    agency = Agency.objects.filter(pk=details.agency_pk, is_active=True).first()
    if agency is None:
        errors["agency"] = "Select the partner agency"
    columns = {key: heading.strip() for key, heading in details.columns.items()
               if heading.strip()}
    if details.kind in PartnerFileKind.values:
        for field in fields_for(details.kind):
            if field.required and field.key not in columns:
                errors[f"column_{field.key}"] = (f"Enter the partner's column heading for "
                                                 f"{field.label.lower()}")
        unknown = set(columns) - {field.key for field in fields_for(details.kind)}
        for key in sorted(unknown):
            errors[f"column_{key}"] = f"{key!r} is not a field of a {details.kind} file"
    headings = [heading.lower() for heading in columns.values()]
    for key, heading in columns.items():
        if headings.count(heading.lower()) > 1:
            errors[f"column_{key}"] = f"The column {heading!r} is named for two fields"
    translations: dict[str, dict[str, str]] = {}
    for key, table in details.translations.items():
        if key not in CODE_FIELDS:
            continue
        codes = hub_codes(key)
        wrong = [code for code in table.values() if code not in codes]
        if wrong:
            errors[f"translate_{key}"] = (
                f"{', '.join(map(repr, wrong))}: translate to the hub's codes for "
                f"{FIELDS_BY_KEY[key].label.lower()} ({', '.join(codes)})")
        if table:
            translations[key] = dict(table)
    if errors:
        raise ServiceRefused(errors)
    return {"agency_id": details.agency_pk, "name": details.name.strip()[:200],
            "kind": details.kind, "columns": columns, "translations": translations}


def _mapping_values(mapping: PartnerMapping) -> dict[str, Any]:
    return {"agency": mapping.agency_id, "name": mapping.name, "kind": mapping.kind,
            "columns": mapping.columns, "translations": mapping.translations}


@transaction.atomic
def save_mapping(*, actor: User, details: MappingDetails, mapping_pk: int | None = None,
                 expected_version: int | None = None) -> PartnerMapping:
    """Record a partner's mapping, or change one (checked against the version the user
    started from)."""
    policy.require(actor, Action.PARTNER_MAPPING_MANAGE)
    if mapping_pk is None:
        mapping = PartnerMapping(updated_by=actor)
        before: dict[str, Any] = {}
    else:
        mapping = policy.get_or_404(actor, Action.PARTNER_MAPPING_MANAGE,
                                    PartnerMapping.objects.select_for_update(), pk=mapping_pk)
        MAPPING_VERSIONING.check(mapping, expected_version or 0)
        before = _mapping_values(mapping)
    values = _check_mapping(details)
    clash = PartnerMapping.objects.filter(agency_id=values["agency_id"], name=values["name"])
    if clash.exclude(pk=mapping.pk).exists():
        raise ServiceRefused("The partner has a mapping of this name already", field="name")
    for name, value in values.items():
        setattr(mapping, name, value)
    mapping.updated_by = actor
    if mapping_pk is None:
        mapping.save()
    else:
        MAPPING_VERSIONING.save(mapping, expected_version=expected_version or 0)
    record_event(event_type=EventType.CREATE if mapping_pk is None else EventType.CHANGE,
                 actor=actor, record=mapping,
                 detail={"changes": changed_values(before, _mapping_values(mapping)),
                         "version": mapping.version})
    return mapping


def mappings_for(user: User) -> QuerySet[PartnerMapping]:
    return policy.scope(user, Action.PARTNER_MAPPING_MANAGE,
                        PartnerMapping.objects.select_related("agency"))


def mapping_for(user: User, pk: int, action: Action = Action.PARTNER_MAPPING_MANAGE
                ) -> PartnerMapping:
    policy.require(user, action)
    return policy.get_or_404(user, Action.PARTNER_MAPPING_MANAGE,
                             PartnerMapping.objects.select_related("agency"), pk=pk)


def importable_mappings(user: User) -> QuerySet[PartnerMapping]:
    """The mappings a file may be imported with."""
    policy.require(user, Action.PARTNER_IMPORT)
    return PartnerMapping.objects.select_related("agency")


# --- Uploading a file ------------------------------------------------------------------


def start_import(*, actor: User, mapping_pk: int, file_name: str, data: bytes,
                 today: dt.date | None = None, run_now: bool = False) -> PartnerImport:
    """Check every row of the file (``PartnerFileRefused`` with the report if any is
    wrong: nothing is written) and queue its import (``run_now``: import it at once,
    for the command)."""
    policy.require(actor, Action.PARTNER_IMPORT)
    mapping = PartnerMapping.objects.select_related("agency").get(pk=mapping_pk)
    rows = check_file(kind=mapping.kind, columns=mapping.columns,
                      translations=mapping.translations, data=data, name=file_name,
                      today=today)
    with transaction.atomic():
        job = PartnerImport.objects.create(
            mapping=mapping, requested_by=actor, requested_at=timezone.now(),
            file_name=file_name[:200], rows=rows, rows_total=len(rows),
            stage="Waiting for the import to start")
        record_event(event_type=EventType.IMPORT, actor=actor, record=job,
                     detail={"upload": {"file": job.file_name, "rows": len(rows),
                                        "mapping": mapping.pk, "partner": mapping.agency.name,
                                        "kind": mapping.kind}})
        if not run_now:
            transaction.on_commit(lambda: run_partner_import.enqueue(job.pk))
    if run_now:
        run_partner_import.call(job.pk)
    return job


def imports_for(user: User) -> QuerySet[PartnerImport]:
    return policy.scope(user, Action.PARTNER_IMPORT,
                        PartnerImport.objects.select_related("mapping__agency"))


def import_for(user: User, pk: int) -> PartnerImport:
    return policy.get_or_404(user, Action.PARTNER_IMPORT,
                             PartnerImport.objects.select_related("mapping__agency"), pk=pk)


# --- The import ------------------------------------------------------------------------


def _person(row: Mapping[str, Any], actor: User) -> Person:
    born = row.get("date_of_birth")
    if actor.agency_id is None:
        raise ServiceRefused("A child is recorded by a member of staff of an agency")
    return Person(owning_agency_id=actor.agency_id, created_by=actor,
                  given_name=row["given_name"], family_name=row["family_name"],
                  date_of_birth=dt.date.fromisoformat(born) if born else None,
                  sex=row.get("sex") or "", self_defined_ethnicity_id=row.get("ethnicity"))


def _import_children(job: PartnerImport, rows: Sequence[Mapping[str, Any]], actor: User
                     ) -> list[tuple[int, int]]:
    """Write a chunk of children in bulk (with their NHS numbers and addresses), index
    their names and audit each; (row, person) for each."""
    people = [_person(row, actor) for row in rows]
    for person in people:  # bulk_create skips save(), which keys the names
        person.given_name_key = name_key(person.given_name)
        person.family_name_key = name_key(person.family_name)
    people = Person.objects.bulk_create(people)
    PersonIdentifier.objects.bulk_create([
        PersonIdentifier(person=person, kind=IdentifierKind.NHS_NUMBER, value=row["nhs_number"])
        for person, row in zip(people, rows, strict=True) if row.get("nhs_number")])
    PersonAddress.objects.bulk_create([
        PersonAddress(person=person, line_1=row.get("address_line_1") or "",
                      town=row.get("town") or "", postcode=row["postcode"],
                      is_current=True)
        for person, row in zip(people, rows, strict=True) if row.get("postcode")])
    index_new_people(people)
    by_person = {person.pk: row for person, row in zip(people, rows, strict=True)}
    record_events_for_each(
        event_type=EventType.CREATE, actor=actor, records=people,
        purpose=f"Import from {job.mapping.agency.name}",
        detail=lambda person: {"import": job.pk, "row": by_person[person.pk]["row"],
                               "partner_id": by_person[person.pk].get("partner_id")})
    return [(by_person[person.pk]["row"], person.pk) for person in people]


def _import_referrals(job: PartnerImport, rows: Sequence[Mapping[str, Any]], actor: User
                      ) -> list[tuple[int, int]]:
    """Each row through the intake service, as the partner's referral."""
    made = []
    for row in rows:
        child = _person(row, actor)
        received = dt.datetime.combine(dt.date.fromisoformat(row["received_on"]),
                                       dt.time(9), tzinfo=timezone.get_current_timezone())
        referral = submit_referral(
            actor=actor, referrer_agency=job.mapping.agency,
            received_at=min(received, timezone.now()),
            submission=ReferralSubmission(
                concerns=row["concerns"], exploitation_model=ExploitationModel.NOT_KNOWN,
                immediate_risk=None, disclosure=None, sexual_activity=None,
                missing_episodes=None,
                new_child=PersonDetails(
                    given_name=child.given_name, family_name=child.family_name,
                    date_of_birth=child.date_of_birth, sex=child.sex,
                    self_defined_ethnicity=child.self_defined_ethnicity),
                child_identifiers=((IdentifierKind.NHS_NUMBER, row["nhs_number"]),)
                if row.get("nhs_number") else (),
                child_address=ChildAddress(line_1=row.get("address_line_1") or "",
                                           town=row.get("town") or "",
                                           postcode=row.get("postcode") or "")))
        made.append((row["row"], referral.child_id))
    return made


def _save_progress(job: PartnerImport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


def _undo(job: PartnerImport, people: Sequence[int]) -> list[str]:
    """Remove what a failed import had made, so the file is in whole or not at all, and
    give the references of any referral kept. The rows are committed a chunk at a time,
    so triage may already have decided a referral from the file before the import
    failed: such a referral (and its child) is another officer's work on a real concern
    and is never removed."""
    with transaction.atomic():
        acted_on = (Referral.objects.filter(child_id__in=people)
                    .exclude(status=ReferralStatus.AWAITING_TRIAGE, case__isnull=True))
        kept = sorted(acted_on.values_list("reference", flat=True))
        keep_children = set(acted_on.values_list("child_id", flat=True))
        removed = [pk for pk in people if pk not in keep_children]
        Referral.objects.filter(child_id__in=removed).delete()
        Person.objects.filter(pk__in=removed).delete()
        record_event(event_type=EventType.DELETE, actor=job.requested_by, record=job,
                     detail={"import undone": {"people": len(removed),
                                               "referrals kept": kept}})
    return kept


def _report(made: Sequence[tuple[int, int]], pairs: Sequence[Any], note: str,
            kind: str) -> dict[str, Any]:
    row_of = {person: row for row, person in made}
    matched: dict[int, list[list[Any]]] = {}
    for pair in pairs:
        matched.setdefault(pair.left_id, []).append(
            [pair.right_id, round(pair.probability, 3)])
    return {
        "kind": kind,
        "rows": len(made),
        "people_created": len(made),
        "matched_rows": len(matched),
        "new_rows": len(made) - len(matched),
        "pairs_proposed": len(pairs),
        "matching_note": note,
        "matches": [{"row": row_of[person], "person": person, "may_be": may_be}
                    for person, may_be in sorted(matched.items(),
                                                 key=lambda item: row_of[item[0]])
                    ][:MATCHES_LISTED],
        "people": [person for _row, person in made],
    }


def _matches(actor: User, people: list[int]) -> tuple[list[Any], str]:
    """The pairs proposed for the people recorded, and any note on the matching. The
    children are recorded whatever the matching model makes of them: if it cannot run
    on these records, the report says so, and the hub's next matching run
    (``manage.py find_matches``) takes them in."""
    try:
        _run, pairs, note = propose_matches_for_new(actor=actor, new_pks=people)
    except Exception:
        logger.exception("Matching an import's children failed")
        return [], ("The matching model could not be run on these records; the hub's next "
                    "matching run will compare them.")
    return pairs, note


@task()
def run_partner_import(job_pk: int) -> None:
    """Import a queued file's checked rows, a chunk at a time, then propose matches."""
    job = PartnerImport.objects.select_related("mapping__agency", "requested_by__agency").get(
        pk=job_pk)
    if job.status != PartnerImportStatus.QUEUED:
        return
    actor = job.requested_by
    rows: list[dict[str, Any]] = list(job.rows)
    write = _import_children if job.mapping.kind == PartnerFileKind.CHILDREN \
        else _import_referrals
    made: list[tuple[int, int]] = []
    try:
        _save_progress(job, status=PartnerImportStatus.RUNNING, stage="Recording the rows")
        for start in range(0, len(rows), CHUNK):
            with transaction.atomic():
                made += write(job, rows[start:start + CHUNK], actor)
            _save_progress(job, rows_done=len(made))
        _save_progress(job, stage="Looking for people the hub already holds")
        pairs, note = _matches(actor, [person for _row, person in made])
        report = _report(made, pairs, note, job.mapping.kind)
        with transaction.atomic():
            _save_progress(job, status=PartnerImportStatus.DONE, stage="Done", rows=[],
                           report=report, finished_at=timezone.now())
            record_event(event_type=EventType.IMPORT, actor=actor, record=job,
                         detail={"import": {key: report[key] for key in (
                             "rows", "people_created", "matched_rows", "new_rows",
                             "pairs_proposed")}})
    except Exception:
        kept = _undo(job, [person for _row, person in made])
        problem = ("The import stopped with an error and nothing was kept. Try again, or "
                   "ask the hub's administrators.")
        if kept:
            problem = (f"The import stopped with an error. Triage had already decided "
                       f"{len(kept)} of its referrals, which are kept: {', '.join(kept)}. "
                       "Nothing else was kept: take those rows out of the file before "
                       "trying again, or ask the hub's administrators.")
        _save_progress(job, status=PartnerImportStatus.FAILED, rows=[], rows_done=0,
                       finished_at=timezone.now(), problem=problem)
        raise
