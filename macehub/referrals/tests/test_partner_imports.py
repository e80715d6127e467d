"""Importing children and referrals from a partner system's export: the partner's
mapping (columns and code translations), a file refused whole with its report row by
row (CSV and XLSX), a good file imported in the background with its progress and
report, each child matched against the people the hub holds (proposed for review,
never merged), referrals through the intake with the partner as the referrer, and one
partner file of 10,000 rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from faker import Faker
from openpyxl import Workbook

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import AgencyKind
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.codes import IdentifierKind, MatchDecision
from macehub.people.identifiers import nhs_check_digit
from macehub.people.models import MatchCandidate, Person, PersonIdentifier, PersonNameForm
from macehub.referrals import partner_imports
from macehub.referrals.codes import (
    PartnerImportStatus,
    ReferralSource,
    ReferralStatus,
    TriageOutcome,
)
from macehub.referrals.models import PartnerImport, PartnerMapping, Referral
from macehub.referrals.partner_files import PartnerFileRefused
from macehub.testing.factories import make_agency, signed_in_client

pytestmark = pytest.mark.django_db

IMPORT_PAGE = reverse("referrals:partner_import")
HEADER = ["Client Ref", "Forename", "Surname", "DOB", "Gender", "Ethnic Code", "NHS No",
          "Postcode"]
COLUMNS = {"partner_id": "Client Ref", "given_name": "Forename", "family_name": "Surname",
           "date_of_birth": "DOB", "sex": "Gender", "ethnicity": "Ethnic Code",
           "nhs_number": "NHS No", "postcode": "Postcode"}
TRANSLATIONS = {"sex": {"F": "female", "M": "male", "U": "not_known"},
                "ethnicity": {"WBRI": "W1", "APKN": "A2", "NOBT": "NS"}}


def nhs_number(serial: int) -> str:
    """A valid NHS number (its check digit right) from a serial number."""
    while True:
        first_nine = f"{400_000_000 + serial:09d}"
        digit = nhs_check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"
        serial += 1_000_000


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def triage(small_demo_for_module: str) -> User:
    return User.objects.select_related("agency").get(username="triage.police")


@pytest.fixture
def partner(small_demo_for_module: str) -> Agency:
    return make_agency("eastshire-trust", AgencyKind.HEALTH, name="Eastshire Health Trust")


@pytest.fixture
def mapping(triage: User, partner: Agency) -> PartnerMapping:
    return partner_imports.save_mapping(
        actor=triage, details=partner_imports.MappingDetails(
            agency_pk=partner.pk, name="CarePoint children", kind="children",
            columns=COLUMNS, translations=TRANSLATIONS))


def upload(client: Client, captured: Any, mapping: PartnerMapping, name: str,
           data: bytes) -> Any:
    with captured(execute=True):
        return client.post(IMPORT_PAGE, {"mapping": mapping.pk,
                                         "file": SimpleUploadedFile(name, data)})


def test_a_mapping_is_kept_per_partner_with_its_translations(
        triage: User, partner: Agency) -> None:
    client = signed_in_client(triage)
    form = {"agency": partner.pk, "name": "CarePoint", "kind": "children",
            "column_given_name": "Forename", "column_family_name": "Surname",
            "column_date_of_birth": "DOB", "column_sex": "Gender",
            "column_received_on": "Referred", "translate_sex": "F = female\nM = man",
            "translate_ethnicity": "", "version": ""}
    refused = client.post(reverse("referrals:partner_mapping_new"), form)
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "&#x27;man&#x27;: translate to the hub&#x27;s codes for sex" in page
    assert 'value="Forename"' in page, "what was typed is kept"

    form["translate_sex"] = "F = female\nM = male"
    saved = client.post(reverse("referrals:partner_mapping_new"), form)
    assert saved.status_code == 302
    mapping = PartnerMapping.objects.get(name="CarePoint")
    assert mapping.agency == partner
    # A referral's date means nothing in a file of children: not kept.
    assert mapping.columns == {"given_name": "Forename", "family_name": "Surname",
                               "date_of_birth": "DOB", "sex": "Gender"}
    assert mapping.translations == {"sex": {"F": "female", "M": "male"}}
    edit = client.get(reverse("referrals:partner_mapping", args=[mapping.pk])).content.decode()
    assert "F = female" in edit
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_type="referrals.partnermapping",
                                     record_id=str(mapping.pk)).exists()


BAD_ROWS: list[list[Any]] = [
    ["P1", "Amelia", "Hughes", "2012-04-03", "F", "WBRI", nhs_number(1), "LE1 6ZZ"],
    ["P2", "Noah", "", "31/02/2011", "X", "WBRI", "", ""],
    ["P3", "Ava", "Patel", "2010-07-19", "F", "APKN", "4000000010", "nowhere"],
    ["P1", "Leo", "Hughes", "1990-01-01", "M", "ZZZ", "", ""],
]
EXPECTED_PROBLEMS = [
    (3, "Surname", "is empty: family name is needed"),
    (3, "DOB", "'31/02/2011' is not a date written as 2011-03-14 or 14/03/2011"),
    (3, "Gender", "'X' is not one of the hub's codes for sex, and the mapping does not "
                  "translate it"),
    (4, "NHS No", None),  # the check digit: the identifier validators' own words
    (4, "Postcode", "Enter a real UK postcode, like LE1 6ZZ"),
    (5, "Ethnic Code", None),
    (5, "DOB", None),  # an adult: not a child the hub takes
    (5, "Client Ref", "'P1' is the record id of row 2 too: each row needs its own"),
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_any_bad_row_is_refused_whole_with_a_row_by_row_report(
        kind: str, triage: User, mapping: PartnerMapping,
        django_capture_on_commit_callbacks: Any) -> None:
    people = Person.objects.count()
    data = csv_bytes(BAD_ROWS) if kind == "csv" else xlsx_bytes(BAD_ROWS)
    response = upload(signed_in_client(triage), django_capture_on_commit_callbacks, mapping,
                      f"children.{kind}", data)
    assert response.status_code == 400
    problems = response.context["refused"].problems
    assert [(p.row, p.column) for p in problems] == [(r, c) for r, c, _m in EXPECTED_PROBLEMS]
    for problem, (_row, _column, message) in zip(problems, EXPECTED_PROBLEMS, strict=True):
        if message is not None:
            assert problem.message == message
    page = response.content.decode()
    assert f"children.{kind} was not imported: 8 problems found" in page
    assert "Why the file was not imported" in page
    assert Person.objects.count() == people and not PartnerImport.objects.exists()


def test_an_unreadable_workbook_is_refused(triage: User, mapping: PartnerMapping) -> None:
    with pytest.raises(PartnerFileRefused) as refused:
        partner_imports.start_import(actor=triage, mapping_pk=mapping.pk,
                                     file_name="children.xlsx", data=b"PK\x03\x04broken")
    assert "cannot be read as an Excel workbook" in refused.value.report()


def test_imported_children_are_matched_against_the_hub_proposed_not_merged(
        triage: User, mapping: PartnerMapping,
        django_capture_on_commit_callbacks: Any) -> None:
    held = list(Person.objects.filter(is_restricted=False, merged_into__isnull=True,
                                      date_of_birth__isnull=False).order_by("pk")[:30])
    faker = Faker("en_GB")
    faker.seed_instance(19)
    rows = [[f"K{n}", p.given_name, p.family_name, p.date_of_birth.isoformat(),  # type: ignore[union-attr]
             {"female": "F", "male": "M"}.get(p.sex, "U"), "", "", ""]
            for n, p in enumerate(held)]
    rows += [[f"N{n}", faker.first_name(), f"{faker.last_name()}-{faker.last_name()}",
              faker.date_between_dates(date_start=dt.date(2009, 1, 1),
                                       date_end=dt.date(2015, 1, 1)).isoformat(), "F", "", "",
              ""] for n in range(30)]
    client = signed_in_client(triage)
    response = upload(client, django_capture_on_commit_callbacks, mapping, "mixed.csv",
                      csv_bytes(rows))
    job = PartnerImport.objects.get()
    assert response["Location"] == reverse("referrals:partner_import_job", args=[job.pk])
    assert job.status == PartnerImportStatus.DONE and job.rows == []
    report = job.report
    assert report["people_created"] == 60
    created = Person.objects.filter(pk__in=report["people"])
    assert created.count() == 60
    assert {p.family_name for p in created} >= {p.family_name for p in held}
    # The partner's rows that are the hub's children are proposed, each to a reviewer.
    matched_rows = {match["row"] for match in report["matches"]}
    assert len(matched_rows & set(range(2, 32))) >= 27
    assert len(matched_rows & set(range(32, 62))) <= 2
    assert report["matched_rows"] + report["new_rows"] == 60
    held_pks = {p.pk for p in held}
    for match in report["matches"]:
        if match["row"] < 32:
            assert held_pks & {may_be for may_be, _probability in match["may_be"]}
    proposed = MatchCandidate.objects.filter(run__isnull=False).filter(
        first_id__in=report["people"]) | MatchCandidate.objects.filter(
        second_id__in=report["people"])
    assert proposed.count() == report["pairs_proposed"] >= 27
    assert set(proposed.values_list("decision", flat=True)) == {MatchDecision.UNDECIDED}
    assert not Person.objects.filter(merged_into__isnull=False, pk__in=report["people"])
    # The report page: followed while it runs, then the counts and who matched whom.
    progress = client.get(reverse("referrals:partner_import_job", args=[job.pk]) +
                          "?progress=1").json()
    assert progress == {"status": "done", "stage": "Done", "progress": 100, "finished": True}
    page = client.get(reverse("referrals:partner_import_job", args=[job.pk])).content.decode()
    assert "60 rows imported" in page and "match review queue" in page
    # Audited: the upload, each child recorded, the import, the report read.
    imports = AuditEvent.objects.filter(event_type=EventType.IMPORT, record_id=str(job.pk))
    assert imports.count() == 2
    assert AuditEvent.objects.filter(
        event_type=EventType.CREATE, record_type="people.person",
        record_id__in=[str(pk) for pk in report["people"]]).count() == 60
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(job.pk),
                                     record_type="referrals.partnerimport").exists()


def test_referrals_go_through_the_intake_with_the_partner_as_referrer(
        triage: User, partner: Agency, django_capture_on_commit_callbacks: Any) -> None:
    mapping = partner_imports.save_mapping(
        actor=triage, details=partner_imports.MappingDetails(
            agency_pk=partner.pk, name="CarePoint referrals", kind="referrals",
            columns={**COLUMNS, "received_on": "Referred", "concerns": "Concern"},
            translations=TRANSLATIONS))
    rows = [["R1", "Isla", "Fenwick", "2011-05-02", "F", "WBRI", nhs_number(7), "LE1 6ZZ",
             "2026-05-20", "Seen getting into cars with older men after school."],
            ["R2", "Ruby", "Ashdown", "14/09/2012", "F", "NOBT", "", "",
             "21/05/2026", "Missing overnight twice this month."]]
    upload(signed_in_client(triage), django_capture_on_commit_callbacks, mapping,
           "referrals.csv", csv_bytes(rows, [*HEADER, "Referred", "Concern"]))
    job = PartnerImport.objects.get()
    assert job.status == PartnerImportStatus.DONE
    referrals = Referral.objects.filter(child_id__in=job.report["people"]).order_by("pk")
    assert [r.concerns[:14] for r in referrals] == ["Seen getting i", "Missing overni"]
    for referral in referrals:
        assert referral.referrer_agency == partner
        assert referral.source == ReferralSource.HEALTH
        assert referral.reference.startswith("REF-2026-")
        assert referral.suggested_brag, "screened as any referral is"
    first = referrals[0]
    assert first.received_at.date().isoformat() == "2026-05-20"
    assert PersonIdentifier.objects.get(person=first.child,
                                        kind=IdentifierKind.NHS_NUMBER).value == nhs_number(7)
    assert referrals[1].child.self_defined_ethnicity_id == "NS"


@pytest.mark.production_scale
def test_a_partner_file_of_10000_rows_is_imported_with_its_report(
        triage: User, mapping: PartnerMapping, django_capture_on_commit_callbacks: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    faker = Faker("en_GB")
    faker.seed_instance(10_000)
    sexes = ["F", "M", "U"]
    ethnicities = ["WBRI", "APKN", "NOBT", "W2", "B1", ""]
    rows = [[f"C{n:05d}", faker.first_name(), faker.last_name(),
             faker.date_between_dates(date_start=dt.date(2008, 7, 1),
                                      date_end=dt.date(2020, 1, 1)).isoformat(),
             sexes[n % 3], ethnicities[n % 6], nhs_number(n) if n % 2 else "",
             faker.postcode() if n % 4 == 0 else ""] for n in range(10_000)]
    data = csv_bytes(rows)
    people_before = Person.objects.count()
    started = time.perf_counter()
    upload(signed_in_client(triage), django_capture_on_commit_callbacks, mapping,
           "children-10000.csv", data)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n10,000-row partner file checked, imported and matched in {seconds:.1f} s")
    job = PartnerImport.objects.get()
    assert job.status == PartnerImportStatus.DONE, job.problem
    assert job.rows_total == job.rows_done == 10_000
    report = job.report
    assert report["rows"] == report["people_created"] == 10_000
    assert report["matched_rows"] + report["new_rows"] == 10_000
    assert Person.objects.count() == people_before + 10_000
    created = Person.objects.filter(pk__in=report["people"])
    assert created.filter(sex="not_known").count() == 3_333
    assert created.filter(self_defined_ethnicity_id="A2").count() == 1_667
    assert created.filter(self_defined_ethnicity__isnull=True).count() == 1_666
    assert PersonIdentifier.objects.filter(person__in=created).count() == 5_000
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_type="people.person").filter(
        record_id__in=[str(pk) for pk in report["people"][:500]]).count() == 500
    # Every child recorded is in the name index that person search reads.
    assert PersonNameForm.objects.filter(person__in=created).count() == 10_000


def test_the_command_imports_a_file_or_refuses_it_whole(
        triage: User, mapping: PartnerMapping, tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.csv"
    bad.write_bytes(xlsx_bytes(BAD_ROWS))
    good.write_bytes(csv_bytes([["G1", "Freya", "Oakley-Marsh", "2013-02-11", "F", "W2",
                                 nhs_number(3), "LE1 6ZZ"]]))
    with pytest.raises(CommandError) as refused:
        call_command("import_partner_file", str(bad), mapping=mapping.pk, user=triage.username)
    assert "bad.xlsx was not imported.\nNothing was imported: 8 problem(s) found." in str(
        refused.value)
    assert 'Row 3, column "Surname": is empty: family name is needed' in str(refused.value)
    out = io.StringIO()
    call_command("import_partner_file", str(good), mapping=mapping.pk, user=triage.username,
                 stdout=out)
    job = PartnerImport.objects.get()
    assert out.getvalue().startswith(f"good.csv: 1 rows imported (import {job.pk}); ")
    person = Person.objects.get(pk=job.report["people"][0])
    assert (person.family_name, person.self_defined_ethnicity_id) == ("Oakley-Marsh", "W2")


@pytest.mark.parametrize("triage_acts_first", [False, True])
def test_an_import_that_fails_part_way_keeps_nothing_but_what_triage_decided(
        triage: User, partner: Agency, django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch, triage_acts_first: bool) -> None:
    """The rows are committed a chunk at a time: a failure in a later chunk removes the
    earlier chunks' children and referrals, except a referral triage decided meanwhile."""
    mapping = partner_imports.save_mapping(
        actor=triage, details=partner_imports.MappingDetails(
            agency_pk=partner.pk, name="CarePoint referrals", kind="referrals",
            columns={**COLUMNS, "received_on": "Referred", "concerns": "Concern"},
            translations=TRANSLATIONS))
    rows = [[f"R{n}", name, "Quenthorpe", "2011-05-02", "F", "WBRI", "", "", "2026-05-20",
             "Seen getting into cars with older men after school."]
            for n, name in enumerate(["Isla", "Ruby", "Maisie"], start=1)]
    write = partner_imports._import_referrals
    chunks: list[int] = []

    def fails_on_the_third_chunk(job: PartnerImport, chunk: Any, actor: User) -> Any:
        chunks.append(len(chunk))
        if len(chunks) == 3:
            raise RuntimeError("the database went away")
        made = write(job, chunk, actor)
        if len(chunks) == 2 and triage_acts_first:
            # Triage decides the first child's referral while the import runs on.
            Referral.objects.filter(child__family_name="Quenthorpe",
                                    child__given_name="Isla").update(
                status=ReferralStatus.DECIDED, outcome=TriageOutcome.ADVICE_SIGNPOSTING,
                decided_at=timezone.now())
        return made

    monkeypatch.setattr(partner_imports, "CHUNK", 1)
    monkeypatch.setattr(partner_imports, "_import_referrals", fails_on_the_third_chunk)
    people_before, referrals_before = Person.objects.count(), Referral.objects.count()
    # The task fails; the page that queued it is not told (it shows the job's state).
    upload(signed_in_client(triage), django_capture_on_commit_callbacks, mapping,
           "referrals.csv", csv_bytes(rows, [*HEADER, "Referred", "Concern"]))

    job = PartnerImport.objects.get()
    assert chunks == [1, 1, 1]
    assert job.status == PartnerImportStatus.FAILED and job.rows == []
    undone = AuditEvent.objects.get(event_type=EventType.DELETE,
                                    record_type="referrals.partnerimport")
    if triage_acts_first:
        kept = Referral.objects.get(child__family_name="Quenthorpe")
        assert kept.status == ReferralStatus.DECIDED
        assert Person.objects.count() == people_before + 1
        assert Referral.objects.count() == referrals_before + 1
        assert kept.reference in job.problem and "already decided 1" in job.problem
        assert undone.detail["import undone"] == {"people": 1,
                                                  "referrals kept": [kept.reference]}
    else:
        assert Person.objects.count() == people_before
        assert Referral.objects.count() == referrals_before
        assert "nothing was kept" in job.problem
        assert undone.detail["import undone"] == {"people": 2, "referrals kept": []}
    assert not Person.objects.filter(family_name="Quenthorpe").exclude(
        given_name="Isla").exists()
