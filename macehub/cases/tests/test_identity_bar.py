"""The child's identity bar on every section of a case and every page of the child's
record: its facts, what a viewer who may not see a restricted case is shown, and query
counts that do not grow with what the child has."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import User
from macehub.cases import selectors
from macehub.cases.codes import RiskTier
from macehub.cases.models import AdvocateAllocation, Case, CaseAllocation, MissingEpisode
from macehub.cases.tests.conftest import ago, client_for
from macehub.cases.views import SECTIONS
from macehub.people.codes import AreaKind
from macehub.people.identity import identity_for
from macehub.people.models import Area, Person, PersonAddress

pytestmark = pytest.mark.django_db

PERSON_PAGES = ("people:detail", "people:edit", "people:statutory_status", "people:access_log")


def _facts(html: str) -> dict[str, str]:
    """The bar's facts by their data-identity names, as text."""
    bar = html.split("data-child-identity", 1)[1].split("</section>", 1)[0]
    found = {}
    for name, value in re.findall(r'data-identity="([a-z-]+)">(.*?)</(?:dd|span)>', bar, re.S):
        found[name] = re.sub(r"<[^>]+>", "", value).strip()
    return found


def _furnish(case: Case, triage: User, advocate: User, supervisor: User) -> None:
    """Give the child an address, a key worker, an advocate and a missing episode now."""
    child = case.child
    child.date_of_birth = dt.date(2011, 5, 17)
    child.child_protection_plan = True
    child.statutory_status_recorded_at = timezone.now()
    child.save()
    area = Area.objects.create(code="E05000001", name="Northtown East", kind=AreaKind.WARD)
    PersonAddress.objects.create(person=child, line_1="1 High Street", town="Northtown",
                                 postcode="NT1 1AA", area=area)
    Case.objects.filter(pk=case.pk).update(key_worker=supervisor)
    AdvocateAllocation.objects.create(case=case, advocate=advocate,
                                      started_on=timezone.localdate())
    MissingEpisode.objects.create(child=child, case=case, went_missing_at=ago(hours=5),
                                  recorded_by=triage)


def test_every_case_section_shows_the_bar_with_its_facts(case, triage, advocate, supervisor
                                                         ) -> None:
    _furnish(case, triage, advocate, supervisor)
    client = client_for(triage)
    today = timezone.localdate()
    age = today.year - 2011 - ((today.month, today.day) < (5, 17))
    for name, _text in SECTIONS:
        html = client.get(reverse(name, args=[case.pk])).content.decode()
        assert html.count("<h1") == 1, name
        assert _facts(html) == {
            "name": "Amelia Thorne", "age": str(age), "date-of-birth": "17 May 2011",
            "area": "Northtown East", "legal-status": "Child protection plan",
            "risk-tier": "Medium", "missing-now": "Yes", "key-worker": supervisor.display_name,
            "advocate": advocate.display_name,
        }, name
        assert "Missing now" in html and ">Restricted<" not in html.split("</section>")[0]


def test_the_bar_names_the_key_worker_and_advocate(case, triage, advocate, supervisor) -> None:
    _furnish(case, triage, advocate, supervisor)
    case = selectors.case_for(triage, case.pk)
    identity = selectors.child_identity(triage, case.child, case=case)
    assert identity.case is not None
    assert identity.case.key_worker == supervisor.display_name
    assert identity.case.advocate == advocate.display_name
    assert identity.missing_now and identity.area == "Northtown East"
    assert identity.legal_status == "Child protection plan"


def test_every_page_of_the_record_shows_the_bar_and_its_case(case, triage, advocate,
                                                             supervisor, governance) -> None:
    _furnish(case, triage, advocate, supervisor)
    for name in PERSON_PAGES:
        viewer = governance if name == "people:access_log" else triage
        html = client_for(viewer).get(reverse(name, args=[case.child.pk])).content.decode()
        assert html.count("<h1") == 1, name
        facts = _facts(html)
        assert facts["name"] == "Amelia Thorne" and facts["risk-tier"] == "Medium", name
        assert facts["missing-now"] == "Yes" and facts["case"] == case.reference, name


def test_the_childs_missing_episode_pages_show_the_bar_and_its_case(case, triage, advocate,
                                                                    supervisor) -> None:
    _furnish(case, triage, advocate, supervisor)
    child = case.child
    episode = MissingEpisode.objects.get(child=child)
    client = client_for(triage)
    for url in (reverse("cases:child_add_missing_episode", args=[child.pk]),
                reverse("cases:child_edit_missing_episode", args=[child.pk, episode.pk])):
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        facts = _facts(html)
        assert facts["name"] == "Amelia Thorne" and facts["risk-tier"] == "Medium", url
        assert facts["missing-now"] == "Yes" and facts["case"] == case.reference, url
        assert facts["key-worker"] == supervisor.display_name, url
        # The back link still leads to the child's missing episodes.
        assert f'href="{reverse("people:detail", args=[child.pk])}#missing-episodes"' in html
    # A failed submission keeps the bar.
    html = client.post(reverse("cases:child_add_missing_episode", args=[child.pk]),
                       {}).content.decode()
    assert "govuk-error-summary" in html and _facts(html)["name"] == "Amelia Thorne"
    # A restricted case the viewer must give a reason to open shows none of its facts.
    Case.objects.filter(pk=case.pk).update(is_restricted=True, risk_tier=RiskTier.HIGH)
    html = client.get(reverse("cases:child_add_missing_episode", args=[child.pk])
                      ).content.decode()
    facts = _facts(html)
    assert facts["case"] == "Restricted: open the case to see its details"
    assert "risk-tier" not in facts and "key-worker" not in facts
    # Nor does the page's own text name it.
    assert "recorded with the child's open case as well" in html
    assert case.reference not in html


def test_a_child_without_a_case(triage, child) -> None:
    facts = _facts(client_for(triage).get(reverse("people:detail", args=[child.pk]))
                   .content.decode())
    assert facts["risk-tier"] == "No open case" and facts["missing-now"] == "No"
    assert facts["area"] == "Not known"
    assert "key-worker" not in facts


def test_a_restricted_case_shows_none_of_its_facts_on_the_record_to_those_who_must_give_a_reason(
        case, triage, supervisor, advocate) -> None:
    _furnish(case, triage, advocate, supervisor)
    Case.objects.filter(pk=case.pk).update(is_restricted=True, risk_tier=RiskTier.HIGH)
    # The supervisor is the key worker: they work on it, so they see its facts.
    works_on = identity_for(supervisor, case.child)
    assert works_on.case is not None and works_on.case.risk_tier == RiskTier.HIGH
    # Triage may see the case but must say why they open it: only that it is restricted.
    html = client_for(triage).get(reverse("people:detail", args=[case.child.pk])).content.decode()
    facts = _facts(html)
    assert facts["case"] == "Restricted: open the case to see its details"
    assert "risk-tier" not in facts and "key-worker" not in facts and "advocate" not in facts
    bar = html.split("data-child-identity", 1)[1].split("</section>", 1)[0]
    assert "High" not in bar and case.reference not in bar
    assert supervisor.display_name not in bar
    assert ">Restricted<" in bar
    # Their missing-now leaves out the restricted case's episode.
    assert facts["missing-now"] == "No"


def _cases_section(html: str) -> str:
    return html.split("Safeguarding cases</h2>", 1)[1].split("</ul>", 1)[0]


def test_the_record_lists_a_restricted_case_without_its_facts_to_those_who_must_give_a_reason(
        case, triage, supervisor, advocate) -> None:
    _furnish(case, triage, advocate, supervisor)
    url = reverse("people:detail", args=[case.child.pk])
    # Unrestricted: the reference, status, tier and lead agency, for anyone who may see it.
    section = _cases_section(client_for(triage).get(url).content.decode())
    assert case.reference in section and "Medium" in section
    assert case.lead_agency.name in section
    Case.objects.filter(pk=case.pk).update(is_restricted=True, risk_tier=RiskTier.HIGH)
    # Triage must say why they open it: the case is there, as on the bar, with no facts.
    section = _cases_section(client_for(triage).get(url).content.decode())
    assert "Restricted case" in section and "open the case to see its details" in section
    assert reverse("cases:detail", args=[case.pk]) in section
    assert "High" not in section and "Medium" not in section
    assert case.reference not in section and case.lead_agency.name not in section
    assert "Open" not in section.replace("open the case", "")
    # The key worker works on it: they see its facts.
    section = _cases_section(client_for(supervisor).get(url).content.decode())
    assert case.reference in section and "High" in section


def test_an_outsider_sees_no_bar_at_all(case, outsider) -> None:
    assert client_for(outsider).get(reverse("people:detail", args=[case.child.pk])
                                    ).status_code == 404


def test_a_restricted_case_opened_with_a_reason_shows_its_facts(case, triage) -> None:
    Case.objects.filter(pk=case.pk).update(is_restricted=True)
    client = client_for(triage)
    client.post(reverse("cases:open_restricted", args=[case.pk]),
                {"reason": "Strategy meeting today", "next": reverse("cases:plan",
                                                                     args=[case.pk])})
    facts = _facts(client.get(reverse("cases:plan", args=[case.pk])).content.decode())
    assert facts["risk-tier"] == "Medium"


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_of_everything(case: Case, triage: User, advocate: User, others: list[User]) -> None:
    for user in others:
        CaseAllocation.objects.create(case=case, user=user)
    for hours in (30, 60, 90):
        MissingEpisode.objects.create(child=case.child, case=case,
                                      went_missing_at=ago(hours=hours),
                                      returned_at=ago(hours=hours - 10), recorded_by=triage)
    area = Area.objects.create(code="E05000002", name="Southtown", kind=AreaKind.WARD)
    for n in range(3):
        PersonAddress.objects.create(person=case.child, line_1=f"{n} Low Road", town="S",
                                     postcode="ST1 1AA", area=area, is_current=n == 0)


def test_query_counts_do_not_grow_with_what_the_child_has(case, triage, advocate, supervisor,
                                                          hub_user_factory) -> None:
    from macehub.accounts.roles import Role

    client = client_for(triage)
    case_url = reverse("cases:detail", args=[case.pk])
    person_url = reverse("people:detail", args=[case.child.pk])
    client.get(case_url)  # warm the per-process caches (code lists, discovery)
    client.get(person_url)
    before = (_count(client, case_url), _count(client, person_url))
    _furnish(case, triage, advocate, supervisor)
    _more_of_everything(case, triage, advocate,
                        [hub_user_factory(f"worker{n}", Role.TRIAGE) for n in range(3)])
    after = (_count(client, case_url), _count(client, person_url))
    assert after == before


def test_the_identity_selector_takes_at_most_five_queries(case, triage, advocate, supervisor
                                                          ) -> None:
    """Four for the case facts, one for the flags other apps raise (the confirmed groups
    the child is in)."""
    _furnish(case, triage, advocate, supervisor)
    child = Person.objects.get(pk=case.child_id)
    with CaptureQueriesContext(connection) as on_record:
        selectors.child_identity(triage, child)
    case = selectors.case_for(triage, case.pk)
    with CaptureQueriesContext(connection) as on_case:
        selectors.child_identity(triage, child, case=case)
    assert len(on_record) <= 5 and len(on_case) <= 4


def test_a_case_page_names_the_childs_area_as_the_record_does(case, triage) -> None:
    client = client_for(triage)
    case_url = reverse("cases:detail", args=[case.pk])
    person_url = reverse("people:detail", args=[case.child_id])

    def areas() -> tuple[str, str]:
        return (_facts(client.get(case_url).content.decode())["area"],
                _facts(client.get(person_url).content.decode())["area"])

    assert areas() == ("Not known", "Not known")
    PersonAddress.objects.create(person=case.child, line_1="1 Mill Lane", town="Fenby",
                                 postcode="FB1 1AA", lived_from=dt.date(2020, 1, 1))
    assert areas() == ("Fenby", "Fenby")  # no area: its town
    ward = Area.objects.create(code="E05000003", name="Fenby North", kind=AreaKind.WARD)
    PersonAddress.objects.create(person=case.child, line_1="2 Mill Lane", town="Fenby",
                                 postcode="FB1 1AB", area=ward, lived_from=dt.date(2024, 1, 1))
    assert areas() == ("Fenby North", "Fenby North")  # the latest current address
    PersonAddress.objects.filter(area=ward).update(is_current=False)
    assert areas() == ("Fenby", "Fenby")
