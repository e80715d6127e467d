"""Structured exploitation risk assessments and their review dates: every domain of the
indicator catalogue rated, a judgement and a summary; the next review set by tier from
the settings (refused when they make no sense); the history newest first; the list of
reviews due, of the cases the user may see, in one query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import reviews, selectors, services
from macehub.cases.codes import DomainRating, IndicatorDomain, RiskTier
from macehub.cases.models import Case, Indicator, RiskAssessment
from macehub.cases.tests.conftest import client_for
from macehub.people.chronology import chronology_for
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)
DOMAINS = [domain.value for domain in IndicatorDomain]


def every_domain(rating: str = DomainRating.LOW, note: str = "Seen at school") -> dict[str, Any]:
    return dict.fromkeys(DOMAINS, (rating, note))


def backdate(case: Case, days: int) -> Case:
    """Open the case ``days`` ago (assessments cannot be dated before the opening)."""
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - dt.timedelta(days=days))
    case.refresh_from_db()
    return case


def assess(case: Case, actor: User, *, days_ago: int = 0, judgement: str = RiskTier.MEDIUM,
           rating: str = DomainRating.LOW) -> RiskAssessment:
    return services.record_risk_assessment(
        actor=actor, case_pk=case.pk, assessed_on=timezone.localdate() - dt.timedelta(
            days=days_ago),
        ratings=every_domain(rating), judgement=judgement, summary="Risk reviewed with the child",
    )


# --- The review cadence and its setting --------------------------------------------


def test_the_review_is_set_by_tier_4_8_and_12_weeks_by_default() -> None:
    assert reviews.next_review_on(TODAY, RiskTier.HIGH, RiskTier.HIGH) == dt.date(2026, 7, 8)
    assert reviews.next_review_on(TODAY, RiskTier.MEDIUM, RiskTier.MEDIUM) == dt.date(2026, 8, 5)
    assert reviews.next_review_on(TODAY, RiskTier.LOW, RiskTier.LOW) == dt.date(2026, 9, 2)
    assert reviews.review_weeks() == {RiskTier.HIGH: 4, RiskTier.MEDIUM: 8, RiskTier.LOW: 12}


def test_the_more_serious_of_judgement_and_case_tier_sets_the_cadence() -> None:
    assert reviews.next_review_on(TODAY, RiskTier.HIGH, RiskTier.LOW) == TODAY + dt.timedelta(
        weeks=4)
    assert reviews.next_review_on(TODAY, RiskTier.LOW, RiskTier.MEDIUM) == TODAY + dt.timedelta(
        weeks=8)


def test_the_cadence_comes_from_the_settings(settings: Any) -> None:
    settings.RISK_REVIEW_WEEKS = {"high": 2, "medium": 6, "low": 26}
    assert reviews.next_review_on(TODAY, RiskTier.HIGH, RiskTier.HIGH) == TODAY + dt.timedelta(
        weeks=2)
    assert reviews.next_review_on(TODAY, RiskTier.LOW, RiskTier.LOW) == TODAY + dt.timedelta(
        weeks=26)


@pytest.mark.parametrize("bad", [
    {"high": 4, "medium": 8},
    {"high": 0, "medium": 8, "low": 12},
    {"high": -4, "medium": 8, "low": 12},
    {"high": "4", "medium": 8, "low": 12},
    {"high": 4.5, "medium": 8, "low": 12},
    {"high": True, "medium": 8, "low": 12},
    [4, 8, 12],
])
def test_a_review_setting_that_makes_no_sense_is_refused(settings: Any, bad: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        reviews.review_intervals(bad)
    settings.RISK_REVIEW_WEEKS = bad
    [error] = reviews.check_review_settings()
    assert error.id == "cases.E001"
    with pytest.raises(ImproperlyConfigured):
        reviews.next_review_on(TODAY, RiskTier.HIGH, RiskTier.HIGH)


def test_the_settings_check_passes_on_the_defaults() -> None:
    assert reviews.check_review_settings() == []


def test_a_review_setting_from_the_environment_below_one_week_stops_start_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from macehub.envconfig import env_int

    monkeypatch.setenv("MACEHUB_RISK_REVIEW_HIGH_WEEKS", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("MACEHUB_RISK_REVIEW_HIGH_WEEKS", 4, minimum=1)


def test_raising_the_tier_brings_the_review_forward_and_no_assessment_is_due_at_opening() -> None:
    opened = dt.date(2026, 1, 5)
    set_for = TODAY + dt.timedelta(weeks=12)
    assert reviews.review_due_on(opened_on=opened, case_tier=RiskTier.HIGH, assessed_on=TODAY,
                                 set_review_on=set_for) == TODAY + dt.timedelta(weeks=4)
    assert reviews.review_due_on(opened_on=opened, case_tier=RiskTier.LOW, assessed_on=TODAY,
                                 set_review_on=set_for) == set_for
    assert reviews.review_due_on(opened_on=opened, case_tier=RiskTier.LOW, assessed_on=None,
                                 set_review_on=None) == opened


def test_the_domains_are_those_of_the_indicator_catalogue() -> None:
    assert [code for code, _ in reviews.assessment_domains()] == DOMAINS
    # A domain with no indicator in use is not rated; the catalogue decides.
    Indicator.objects.filter(domain=IndicatorDomain.ONLINE).update(is_active=False)
    assert IndicatorDomain.ONLINE not in [code for code, _ in reviews.assessment_domains()]


# --- Recording an assessment --------------------------------------------------------


def test_an_assessment_rates_every_domain_sets_the_review_and_is_audited(
        case: Case, triage: User) -> None:
    backdate(case, 30)
    ratings = every_domain()
    ratings["grooming"] = (DomainRating.HIGH, "Gifts from an older 'boyfriend'")
    assessed_on = timezone.localdate() - dt.timedelta(days=2)
    assessment = services.record_risk_assessment(
        actor=triage, case_pk=case.pk, assessed_on=assessed_on, ratings=ratings,
        judgement=RiskTier.HIGH, summary="Grooming indicators have increased",
    )
    assert [(r.domain, r.rating) for r in assessment.ratings.all()] == [
        (code, "high" if code == "grooming" else "low") for code in DOMAINS]
    assert {"health", "behaviour", "grooming", "online"} <= set(DOMAINS)
    # Judged High on a Medium case: the High cadence, from the day of the assessment.
    assert assessment.next_review_on == assessed_on + dt.timedelta(weeks=4)
    assert (assessment.judgement, assessment.case_tier) == ("high", "medium")
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.MEDIUM and case.version == 1  # the tier is not changed
    [event] = AuditEvent.objects.filter(event_type=EventType.CHANGE, record_type="cases.case",
                                        record_id=str(case.pk))
    assert event.actor_username == triage.username
    assert event.detail["risk_assessment"] == assessment.pk
    assert event.detail["judgement"] == "high"
    assert event.detail["ratings"]["grooming"] == "high"
    assert event.detail["next_review_on"] == assessment.next_review_on.isoformat()


def test_an_assessment_is_on_the_child_chronology(case: Case, triage: User) -> None:
    assess(case, triage, judgement=RiskTier.HIGH)
    [entry] = [e for e in chronology_for(triage, case.child) if e.title.startswith("Risk assess")]
    assert entry.title == "Risk assessment: judged High"
    assert entry.category == "Risk"
    assert "The case's tier was Medium" in entry.text and "Next review due" in entry.text


def test_every_domain_needs_a_rating_and_medium_or_high_needs_a_note(
        case: Case, triage: User) -> None:
    ratings = every_domain()
    del ratings["health"]
    ratings["online"] = (DomainRating.MEDIUM, "  ")
    with pytest.raises(ValidationError) as excinfo:
        services.record_risk_assessment(
            actor=triage, case_pk=case.pk, assessed_on=timezone.localdate(), ratings=ratings,
            judgement="", summary=" ",
        )
    errors = excinfo.value.message_dict
    assert errors["rating_health"] == ["Select the level of concern about health"]
    assert errors["note_online"] == ["Enter what the medium rating for online rests on"]
    assert errors["judgement"] == ["Select your judgement of the child's risk tier"]
    assert errors["summary"] == ["Enter a summary of the assessment"]
    assert not RiskAssessment.objects.exists()


def test_the_date_is_not_in_the_future_nor_before_the_case_opened(
        case: Case, triage: User) -> None:
    for day, message in (
        (timezone.localdate() + dt.timedelta(days=1), "today or in the past"),
        (timezone.localdate() - dt.timedelta(days=3), "when the case opened"),
        (None, "Enter the date of the assessment"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.record_risk_assessment(
                actor=triage, case_pk=case.pk, assessed_on=day, ratings=every_domain(),
                judgement=RiskTier.LOW, summary="Reviewed",
            )
        assert message in excinfo.value.message_dict["assessed_on"][0]
    assert not RiskAssessment.objects.exists()


def test_who_may_record_an_assessment(case: Case, advocate: User, analyst: User,
                                      outsider: User, supervisor: User) -> None:
    # The independent advocate and the analyst see the case but do not assess risk.
    for user in (advocate, analyst):
        with pytest.raises(PermissionDenied):
            assess(case, user)
    with pytest.raises(Http404):
        assess(case, outsider)  # may not know the case exists
    assert assess(case, supervisor).assessed_by == supervisor


def test_a_closed_case_is_not_assessed(case: Case, triage: User) -> None:
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now(),
                                           closure_reason="risk_reduced")
    with pytest.raises(ValidationError):
        assess(case, triage)


# --- History and the case's review status --------------------------------------------


def test_the_history_is_newest_assessment_first_whatever_order_it_was_recorded(
        case: Case, triage: User) -> None:
    backdate(case, 100)
    middle = assess(case, triage, days_ago=40)
    newest = assess(case, triage, days_ago=5, judgement=RiskTier.HIGH)
    oldest = assess(case, triage, days_ago=90, judgement=RiskTier.LOW)  # recorded late
    full = selectors.case_for(triage, case.pk, full=True)
    assert list(full.risk_assessments.all()) == [newest, middle, oldest]
    overview = selectors.case_overview(triage, full)
    review = overview.risk_review
    assert review is not None and review.latest == newest
    assert review.due_on == newest.next_review_on and not review.is_due
    assert review.judgement_differs  # judged High, the case is Medium


def test_a_case_never_assessed_is_due_from_the_day_it_opened(case: Case, triage: User) -> None:
    backdate(case, 10)
    full = selectors.case_for(triage, case.pk, full=True)
    review = selectors.case_overview(triage, full).risk_review
    assert review is not None and review.never_assessed
    assert review.due_on == timezone.localdate(full.opened_at)
    assert review.is_overdue and review.days_overdue == 10


# --- Reviews due ------------------------------------------------------------------------


@pytest.fixture
def caseload(make_case: Any, triage: User, hub_agency: Agency, partner_agency: Agency
             ) -> dict[str, Case]:
    """Cases in every state against the review clock."""
    made = {
        "high_overdue": make_case("Hana", "Overdue", risk_tier=RiskTier.HIGH),
        "medium_in_time": make_case("Mia", "InTime", risk_tier=RiskTier.MEDIUM),
        "never_assessed": make_case("Nia", "Never", risk_tier=RiskTier.LOW),
        "tier_raised": make_case("Tia", "Raised", risk_tier=RiskTier.MEDIUM),
        "due_today": make_case("Dana", "Today", risk_tier=RiskTier.LOW),
        "due_soon": make_case("Sol", "Soon", risk_tier=RiskTier.HIGH),
        "closed": make_case("Cleo", "Closed", risk_tier=RiskTier.HIGH),
        "partner_led": make_case("Pat", "Partner", risk_tier=RiskTier.HIGH,
                                 lead_agency=partner_agency),
    }
    restricted_child = make_person(hub_agency, given_name="Rae", family_name="Restricted",
                                   is_restricted=True)
    made["restricted"] = services.open_case(
        actor=triage, child=restricted_child, risk_tier=RiskTier.HIGH, lead_agency=hub_agency,
        reason="Test")
    for case in made.values():
        backdate(case, 200)
    assess(made["high_overdue"], triage, days_ago=30, judgement=RiskTier.HIGH)  # due at 28
    assess(made["medium_in_time"], triage, days_ago=30)  # due at 56
    tier_raised = assess(made["tier_raised"], triage, days_ago=35)  # set for 56 days
    Case.objects.filter(pk=made["tier_raised"].pk).update(risk_tier=RiskTier.HIGH)
    assert tier_raised.next_review_on > timezone.localdate()
    assess(made["due_today"], triage, days_ago=84, judgement=RiskTier.LOW)  # 12 weeks
    assess(made["due_soon"], triage, days_ago=25, judgement=RiskTier.HIGH)  # due in 3 days
    Case.objects.filter(pk=made["closed"].pk).update(
        status="closed", closed_at=timezone.now(), closure_reason="risk_reduced")
    return made


def _due(user: User, **kwargs: Any) -> list[str]:
    return [row.case.child.family_name for row in selectors.risk_reviews_due(user, **kwargs)]


def test_reviews_due_lists_exactly_the_due_and_overdue_cases_the_user_may_see(
        caseload: dict[str, Case], triage: User) -> None:
    rows = selectors.risk_reviews_due(triage)
    # Most overdue first: never assessed (due since opening), then by due date.
    assert [row.case.child.family_name for row in rows] == [
        "Partner", "Never", "Raised", "Overdue", "Today"]
    by_name = {row.case.child.family_name: row for row in rows}
    assert by_name["Never"].never_assessed and by_name["Never"].is_overdue
    assert by_name["Today"].is_due and not by_name["Today"].is_overdue
    assert by_name["Overdue"].days_overdue == 2
    # Raised to High 35 days after a Medium assessment: due at 4 weeks, not 8.
    assert by_name["Raised"].days_overdue == 7
    assert by_name["Raised"].judgement_differs
    # The restricted child's case is not known to a triage officer who does not work on it.
    assert "Restricted" not in by_name


def test_reviews_due_soon_can_be_included(caseload: dict[str, Case], triage: User) -> None:
    assert "Soon" not in _due(triage)
    assert "Soon" in _due(triage, within_days=7)


def test_a_partner_sees_only_the_reviews_of_cases_linked_to_their_agency(
        caseload: dict[str, Case], partner_worker: User) -> None:
    assert _due(partner_worker) == ["Partner"]


def test_a_restricted_case_is_listed_for_those_who_work_on_it(
        caseload: dict[str, Case], supervisor: User) -> None:
    restricted = caseload["restricted"]
    Case.objects.filter(pk=restricted.pk).update(key_worker=supervisor)
    rows = {row.case.child.family_name: row for row in selectors.risk_reviews_due(supervisor)}
    assert "Restricted" in rows and not rows["Restricted"].name_hidden


def test_reviews_due_is_one_query_however_many_cases(
        make_case: Any, triage: User) -> None:
    def queries() -> int:
        triage.forget_cached_roles()
        with CaptureQueriesContext(connection) as captured:
            rows = selectors.risk_reviews_due(triage)
            for row in rows:
                str(row.case.child.full_name), row.case.lead_agency.name, row.case.key_worker
        return len(captured)

    for number in range(2):
        assess(backdate(make_case("A", f"Few{number}"), 100), triage, days_ago=99)
    few = queries()
    for number in range(6):
        assess(backdate(make_case("B", f"Many{number}"), 100), triage, days_ago=99)
        backdate(make_case("C", f"Never{number}"), 5)
    assert len(selectors.risk_reviews_due(triage)) == 14
    assert queries() == few <= 2


# --- Pages ----------------------------------------------------------------------------


def test_recording_an_assessment_through_the_form(case: Case, triage: User) -> None:
    client = client_for(triage)
    url = f"/cases/{case.pk}/risk-assessments/new/"
    page = client.get(url)
    assert page.status_code == 200
    for code in DOMAINS:
        assert f'name="rating_{code}"' in page.content.decode()
    today = timezone.localdate()
    data: dict[str, str] = {
        "assessed_on_day": str(today.day), "assessed_on_month": str(today.month),
        "assessed_on_year": str(today.year), "judgement": "", "summary": "Typed summary",
        **{f"rating_{code}": "none" for code in DOMAINS},
    }
    data["rating_online"] = "high"
    refused = client.post(url, data)
    html = refused.content.decode()
    assert refused.status_code == 200 and "govuk-error-summary" in html
    assert "Select your judgement of the child&#x27;s risk tier" in html
    assert "Enter what the high rating for online rests on" in html
    assert "Typed summary" in html  # what was typed is kept
    data.update(judgement="high", note_online="Unknown adults messaging her on Snapchat")
    saved = client.post(url, data)
    assert saved.status_code == 302 and saved["Location"] == f"/cases/{case.pk}/risk-assessments/"
    assessment = RiskAssessment.objects.get(case=case)
    assert assessment.ratings.get(domain="online").note.startswith("Unknown adults")


def test_the_case_shows_the_review_and_a_judgement_that_differs_from_the_tier(
        case: Case, triage: User, analyst: User) -> None:
    backdate(case, 80)
    assess(case, triage, days_ago=70, judgement=RiskTier.HIGH)
    html = client_for(triage).get(f"/cases/{case.pk}/").content.decode()
    assert "Overdue" in html and 'id="judgement-differs"' in html
    assert f'href="/cases/{case.pk}/risk-tier/">Change the risk tier</a>' in html
    # Someone who may not change the tier is told so, without the link.
    html = client_for(analyst).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="judgement-differs"' in html and "Someone who may change" in html
    history = client_for(analyst).get(f"/cases/{case.pk}/risk-assessments/").content.decode()
    assert "Risk reviewed with the child" in history
    assert "Record a risk assessment" not in history


def test_the_reviews_due_page_is_audited_and_linked_from_the_case_list(
        caseload: dict[str, Case], triage: User) -> None:
    client = client_for(triage)
    assert 'href="/cases/risk-reviews/"' in client.get("/cases/").content.decode()
    html = client.get("/cases/risk-reviews/").content.decode()
    assert "Hana Overdue" in html and "Mia InTime" not in html and "Rae Restricted" not in html
    event = AuditEvent.objects.filter(event_type=EventType.SEARCH).latest("id")
    assert event.detail["list"] == "risk reviews due"
    assert set(event.detail["results"]) == {
        caseload[name].pk for name in ("high_overdue", "never_assessed", "tier_raised",
                                       "due_today", "partner_led")}
