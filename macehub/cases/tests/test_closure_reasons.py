"""Closure reasons: "did not engage" is no longer offered, and the cases closed with it
before keep those words on their closure record, case page and chronology."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases.codes import RETIRED_CLOSURE_REASONS, ClosureReason
from macehub.cases.forms import CloseCaseForm
from macehub.cases.models import Case
from macehub.cases.services import changes_since
from macehub.cases.tests.conftest import client_for
from macehub.people.chronology import chronology_for

# People stay as they were when the closure words came in: later fields on a person
# would not exist in the historical models this test writes with.
PEOPLE = ("people", "0004_census_populations_by_age")
BEFORE = [("cases", "0004_exploitation_types_and_nrm_referrals"), PEOPLE]
AFTER = [("cases", "0005_closure_reason_words_kept"), PEOPLE]
WORDS = "Did not engage, risk assessed as manageable"


def test_did_not_engage_is_not_offered() -> None:
    assert "no_engagement" not in ClosureReason.values
    offered = [value for value, _label in CloseCaseForm().fields["closure_reason"].choices]
    assert "no_engagement" not in offered and "risk_reduced" in offered
    hint = str(CloseCaseForm().fields["closure_reason"].help_text)
    assert "not a reason to close" in hint and "re-engage" in hint
    assert RETIRED_CLOSURE_REASONS["no_engagement"] == WORDS


@pytest.mark.migration_history
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_words_of_each_closed_case() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Person = old.get_model("people", "Person")
    Agency = old.get_model("accounts", "Agency")
    User = old.get_model("accounts", "User")
    OldCase = old.get_model("cases", "Case")
    agency = Agency.objects.create(code="mig-hub", name="Migration Hub", kind="police")
    user = User.objects.create(username="mig.user")
    now = timezone.now()
    made = {}
    for name, reason in (("Ada", "no_engagement"), ("Ben", "stepped_down"), ("Cal", "")):
        child = Person.objects.create(given_name=name, family_name="Old", owning_agency=agency)
        made[name] = OldCase.objects.create(
            reference=f"CASE-2025-{len(made) + 1:06d}", child=child, opened_at=now,
            opened_by=user, lead_agency=agency, risk_tier="medium",
            status="closed" if reason else "open", closed_at=now if reason else None,
            closure_reason=reason,
        ).pk

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()

    # Only the fields this migration knows: a later migration's fields are not there yet.
    at_after = Case.objects.only("closure_reason", "closure_reason_words")
    closed_no_engagement = at_after.get(pk=made["Ada"])
    assert closed_no_engagement.closure_reason == "no_engagement"  # the code is kept
    assert closed_no_engagement.closure_reason_words == WORDS
    assert closed_no_engagement.closure_reason_text == WORDS
    stepped_down = at_after.get(pk=made["Ben"])
    assert stepped_down.closure_reason_words == "Stepped down to another service"
    assert at_after.get(pk=made["Cal"]).closure_reason_text == ""

    # Reversible: back again forgets only the copied words, the codes stay.
    MigrationExecutor(connection).migrate(BEFORE)
    assert OldCase.objects.get(pk=made["Ada"]).closure_reason == "no_engagement"
    MigrationExecutor(connection).migrate(AFTER)
    assert at_after.get(pk=made["Ada"]).closure_reason_words == WORDS
    # Leave the database as every other test expects it: fully migrated.
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_case_closed_as_did_not_engage_still_reads_so(case, supervisor) -> None:
    """A case closed with the retired reason shows its words on the case page, in the
    chronology and in what changed, even without the copied words."""
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.now(), closed_by=supervisor,
        closure_reason="no_engagement", closure_reason_words="",
    )
    case.refresh_from_db()
    assert case.closure_reason_text == WORDS
    html = client_for(supervisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert WORDS in html
    [closed] = [entry for entry in chronology_for(supervisor, case.child)
                if entry.title.endswith("closed")]
    assert closed.text == WORDS
    record_event(event_type=EventType.CHANGE, actor=supervisor, record=case, detail={
        "version": 2, "changes": {"closure_reason": {"old": "", "new": "no_engagement"}}})
    assert changes_since(case, 1)["Reason for closing"]["new"] == WORDS
