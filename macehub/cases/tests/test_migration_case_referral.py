"""The migrations that keep one link between a case and its referrals (cases 0013–0014:
``Referral.case`` filled from ``Case.referral``, which goes) and move the indicator
catalogue to cases (cases 0012, referrals 0011: the table and its rows stay put), run
forwards and back without losing a link or an indicator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migration_history]

BEFORE = ("cases", "0011_referral_joined")


def _migrate(targets: list[tuple[str, str]]) -> StateApps:
    """Migrate, and the models as every migration now applied (of every app) left them."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader  # a fresh loader sees the state reached
    return loader.project_state(list(loader.applied_migrations)).apps


def test_case_referral_moves_to_the_referral_and_back(hub_agency, hub_team) -> None:
    opener = make_user("mig.opener", Role.TRIAGE, agency=hub_agency, team=hub_team)
    school = make_agency("mig-school", AgencyKind.EDUCATION, name="Mig Academy")
    referrer = make_user("mig.dsl", Role.REFERRER, agency=school,
                         team=make_team(school, "Safeguarding", is_hub_team=False))
    child = make_person(hub_agency, given_name="Ria", family_name="Linked")
    other = make_person(hub_agency, given_name="Oli", family_name="Linked")
    received = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    opening = make_referral(child, referrer, received_at=received,
                            indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"))
    joining = make_referral(child, referrer, received_at=received + dt.timedelta(days=5))
    elsewhere = make_referral(other, referrer, received_at=received)
    case = open_case(actor=opener, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="Migration test")
    other_case = open_case(actor=opener, child=other, risk_tier=RiskTier.LOW,
                           lead_agency=hub_agency, reason="Migration test")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate([BEFORE])
        old_case, old_referral = old.get_model("cases", "Case"), old.get_model(
            "referrals", "Referral")
        # The case knows its opening referral, which does not point back yet; a later
        # referral already points at the case (it joined); a referral that points at
        # another case keeps it (the backfill fills only what is missing).
        old_case.objects.filter(pk=case.pk).update(referral=opening.pk)
        old_case.objects.filter(pk=other_case.pk).update(referral=elsewhere.pk)
        old_referral.objects.filter(pk=opening.pk).update(case=None)
        old_referral.objects.filter(pk=joining.pk).update(case=case.pk)
        old_referral.objects.filter(pk=elsewhere.pk).update(case=case.pk)
        assert set(old.get_model("referrals", "Indicator").objects.filter(
            referralindicator__referral_id=opening.pk).values_list("code", flat=True)) == {
            "HEALTH_STI", "GROOMING_VEHICLES"}

        new = _migrate(latest)
        referral = new.get_model("referrals", "Referral")
        assert referral.objects.get(pk=opening.pk).case_id == case.pk
        assert referral.objects.get(pk=joining.pk).case_id == case.pk
        assert referral.objects.get(pk=elsewhere.pk).case_id == case.pk
        assert "referral" not in {f.name for f in new.get_model("cases", "Case")._meta.fields}
        indicator = new.get_model("cases", "Indicator")
        assert indicator._meta.db_table == "referrals_indicator"
        assert indicator.objects.filter(code="HEALTH_STI").exists()
        assert set(referral.objects.get(pk=opening.pk).indicators.values_list(
            "code", flat=True)) == {"HEALTH_STI", "GROOMING_VEHICLES"}

        # Back again: each case takes the earliest referral received of those that
        # point at it; a case no referral points at has none.
        back = _migrate([BEFORE])
        cases = {c.pk: c.referral_id for c in back.get_model("cases", "Case").objects.all()}
        assert cases == {case.pk: opening.pk, other_case.pk: None}
        assert back.get_model("referrals", "Indicator").objects.filter(
            code="GROOMING_VEHICLES").exists()
    finally:
        MigrationExecutor(connection).migrate(latest)
