"""Every case page renders for the roles that use it, in well-formed, accessible GOV.UK
markup (checked without a browser: labels, captions, header scopes, one h1, unique ids,
no inline styles), and each form shows GOV.UK errors that keep what was typed."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.cases import services
from macehub.cases.codes import ContactKind, PlanItemStatus, RiskTier
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseOutcome,
    CaseShare,
    Contact,
    PlanItem,
)
from macehub.cases.tests.conftest import ago, client_for, days_from_today
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class PageChecker(HTMLParser):
    """Collects what an accessibility and CSP reviewer would look for in the markup."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[str] = []
        self.h1 = 0
        self.stack: list[str] = []
        self.table_has_caption: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"inline style on <{tag}>")
        if tag == "script" and "nonce" not in attributes:
            self.problems.append("script without a nonce")
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            name = attributes.get("name")
            self.controls.append(str(attributes.get("id") or f"<{tag} name={name}> without id"))
        if tag == "h1":
            self.h1 += 1
        if tag == "table":
            self.table_has_caption.append(False)
        if tag == "caption" and self.table_has_caption:
            self.table_has_caption[-1] = True
        if tag == "th" and "scope" not in attributes:
            self.problems.append("<th> without scope")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "table" and not self.table_has_caption.pop():
            self.problems.append("table without a caption")

    def report(self) -> list[str]:
        problems = list(self.problems)
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            problems.append(f"duplicate ids {sorted(duplicates)}")
        unlabelled = [c for c in self.controls if c not in self.label_for]
        if unlabelled:
            problems.append(f"controls without a label {unlabelled}")
        if self.h1 != 1:
            problems.append(f"{self.h1} h1 elements")
        if self.stack:
            problems.append(f"unclosed {self.stack}")
        return problems


def check_page(html: str) -> None:
    checker = PageChecker()
    checker.feed(html)
    checker.close()
    assert not checker.report(), checker.report()


@pytest.fixture
def full_case(case, triage, supervisor, advocate, partner_worker, partner_agency):
    services.change_risk_tier(actor=supervisor, case_pk=case.pk, expected_version=1,
                              risk_tier=RiskTier.HIGH, reason="New intelligence")
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=2, key_worker=triage)
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=timezone.localdate())
    services.allocate_worker(actor=triage, case_pk=case.pk, user=partner_worker)
    services.share_case(actor=triage, case_pk=case.pk, agency=partner_agency, reason="Plan")
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Home visit",
                                  owner=advocate, due_on=days_from_today(3))
    PlanItem.objects.create(case=case, action="Late action", owner=triage,
                            owner_agency=triage.agency, due_on=days_from_today(-3),
                            created_at=ago(days=9), created_by=triage)
    services.complete_plan_item(actor=triage, plan_item_pk=item.pk,
                                completed_on=timezone.localdate())
    services.record_contact(actor=advocate, case_pk=case.pk, occurred_at=ago(hours=5),
                            kind=ContactKind.PHONE, with_whom="mother", summary="Call",
                            child_seen="not_applicable")
    services.record_missing_episode(actor=advocate, case_pk=case.pk,
                                    went_missing_at=ago(hours=120), returned_at=ago(hours=100))
    services.record_outcome(actor=advocate, case_pk=case.pk, kind="engaged",
                            recorded_on=timezone.localdate())
    case.refresh_from_db()
    return case


def case_urls(case: Case) -> list[str]:
    pk = case.pk
    item = case.plan_items.filter(status=PlanItemStatus.OPEN).first()
    episode = case.missing_episodes.first()
    allocation = CaseAllocation.objects.filter(case=case).first()
    share = CaseShare.objects.filter(case=case).first()
    names = ["detail", "chronology", "plan", "contacts", "missing", "outcomes", "workers",
             "change_tier", "change_key_worker", "change_lead_agency", "close", "allocate",
             "share", "change_advocate", "add_plan_item", "add_contact",
             "add_missing_episode", "add_outcome"]
    urls = [reverse(f"cases:{name}", args=[pk]) for name in names]
    urls += [
        reverse("cases:edit_plan_item", args=[pk, item.pk]),
        reverse("cases:complete_plan_item", args=[pk, item.pk]),
        reverse("cases:edit_missing_episode", args=[pk, episode.pk]),
        reverse("cases:unallocate", args=[pk, allocation.pk]),
        reverse("cases:unshare", args=[pk, share.pk]),
    ]
    return urls


def test_every_case_page_renders_accessible_markup(full_case, triage, supervisor,
                                                   governance):
    client = client_for(triage)
    for url in [reverse("cases:list"), *case_urls(full_case)]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Amelia Thorne" in html, url
        check_page(html)
    check_page(client_for(supervisor).get(reverse("cases:restrict",
                                                  args=[full_case.pk])).content.decode())
    check_page(client_for(governance).get(reverse("cases:access_log",
                                                  args=[full_case.pk])).content.decode())


def test_the_overview_shows_tier_history_workers_advocate_and_overdue_work(full_case, triage):
    html = client_for(triage).get(reverse("cases:detail", args=[full_case.pk])).content.decode()
    for text in ("High – being exploited", "New intelligence", "Super Tester",
                 "Advo Tester", "Advocate changes", "Late action", "Overdue",
                 "Interview offer overdue", "Engaged with support", "Change the risk tier"):
        assert text in html, text


def test_pages_hide_actions_from_roles_that_may_not_take_them(full_case, analyst):
    html = client_for(analyst).get(reverse("cases:plan", args=[full_case.pk])).content.decode()
    assert "Add a plan item" not in html
    assert "Finish" not in html
    html = client_for(analyst).get(reverse("cases:detail", args=[full_case.pk])).content.decode()
    assert "Change the risk tier" not in html and "close the case" not in html


def test_restricted_reason_page_is_accessible(case, supervisor, analyst):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="Sensitive")
    client = client_for(analyst)
    html = client.get(reverse("cases:open_restricted", args=[case.pk])).content.decode()
    check_page(html)
    assert '<h1 class="govuk-label-wrapper">' in html
    errors = client.post(reverse("cases:open_restricted", args=[case.pk]), {"reason": ""})
    check_page(errors.content.decode())


# --- Forms: errors that keep what was typed, then success -----------------------------


def post(client, name, case, data, *extra):
    return client.post(reverse(f"cases:{name}", args=[case.pk, *extra]), data)


def assert_error(response, *messages):
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Error: " in html
    for message in messages:
        assert message in html, message
    check_page(html)


def test_plan_item_form(case, triage, advocate):
    client = client_for(triage)
    due = days_from_today(10)
    bad = {"action": "Visit school", "owner": "", "due_on_day": "31", "due_on_month": "2",
           "due_on_year": str(due.year)}
    response = post(client, "add_plan_item", case, bad)
    assert_error(response, "Due date must be a real date")
    assert "Visit school" in response.content.decode()
    response = post(client, "add_plan_item", case, {**bad, "due_on_day": str(due.day),
                                                    "due_on_month": str(due.month)})
    assert_error(response, "Select who owns this action: every plan item needs a named owner")
    assert 'href="#id_owner"' in response.content.decode()
    assert not PlanItem.objects.exists()
    response = post(client, "add_plan_item", case, {**bad, "due_on_day": str(due.day),
                                                    "due_on_month": str(due.month),
                                                    "owner": str(advocate.pk)})
    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert (item.owner, item.due_on) == (advocate, due)
    response = post(client, "complete_plan_item", case,
                    {"status": "cancelled", "completed_on_day": "", "note": ""}, item.pk)
    assert_error(response, "Enter the date", "Enter why the action was cancelled")
    today = timezone.localdate()
    response = post(client, "complete_plan_item", case,
                    {"status": "done", "completed_on_day": today.day,
                     "completed_on_month": today.month, "completed_on_year": today.year},
                    item.pk)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE


def test_contact_form(case, triage):
    client = client_for(triage)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {"occurred_on_day": tomorrow.day, "occurred_on_month": tomorrow.month,
            "occurred_on_year": tomorrow.year, "occurred_time": "10:00", "kind": "phone",
            "with_whom": "the child's aunt", "summary": "Talked about the weekend",
            "child_seen": "not_applicable"}
    response = post(client, "add_contact", case, data)
    assert_error(response, "The date and time of the contact must be in the past")
    assert "the child&#x27;s aunt" in response.content.decode()
    response = post(client, "add_contact", case, {**data, "occurred_time": ""})
    assert_error(response, "Enter the time of the contact")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = post(client, "add_contact", case, {
        **data, "occurred_on_day": yesterday.day, "occurred_on_month": yesterday.month,
        "occurred_on_year": yesterday.year})
    assert response.status_code == 302
    assert Contact.objects.get().with_whom == "the child's aunt"


def test_outcome_tier_and_close_forms(case, triage, supervisor):
    client = client_for(triage)
    response = post(client, "add_outcome", case, {"kind": "other", "note": ""})
    assert_error(response, "Describe the outcome", "Enter the date of the outcome")
    today = timezone.localdate()
    assert post(client, "add_outcome", case, {
        "kind": "disclosure", "recorded_on_day": today.day, "recorded_on_month": today.month,
        "recorded_on_year": today.year}).status_code == 302
    assert CaseOutcome.objects.count() == 1
    response = post(client, "change_tier", case, {"version": "1", "reason": "Why not"})
    assert_error(response, "Select the risk tier")
    assert post(client, "change_tier", case, {"version": "1", "risk_tier": "high",
                                              "reason": "Disclosure"}).status_code == 302
    services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit", owner=triage,
                           due_on=today)
    response = post(client, "close", case, {"version": "2", "closure_reason": "other"})
    assert_error(response, "Enter why the case is closing",
                 "There is 1 open plan item: complete it first")
    assert "Cancel the open plan items" in response.content.decode()
    assert post(client, "close", case, {"version": "2", "closure_reason": "stepped_down",
                                        "cancel_open_plan_items": "true"}).status_code == 302
    case.refresh_from_db()
    assert case.is_open  # asked for, waiting for a supervisor's approval
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Waiting for approval" in html and "Approve or reject" not in html


def test_workers_forms(case, triage, advocate, partner_worker, partner_agency, hub_agency,
                       hub_team):
    client = client_for(triage)
    assert post(client, "change_key_worker", case,
                {"version": "1", "key_worker": str(advocate.pk)}).status_code == 302
    assert post(client, "change_lead_agency", case,
                {"version": "2", "lead_agency": str(partner_agency.pk)}).status_code == 302
    assert post(client, "allocate", case, {"user": str(partner_worker.pk)}).status_code == 302
    allocation = CaseAllocation.objects.get()
    assert post(client, "unallocate", case, {}, allocation.pk).status_code == 302
    assert not CaseAllocation.objects.exists()
    response = post(client, "share", case, {"agency": str(partner_agency.pk), "reason": "x"})
    assert_error(response, "leads the case")
    shared = post(client, "share", case, {"agency": str(hub_agency.pk),
                                          "reason": "Police hold the intelligence"})
    assert shared.status_code == 302
    share = CaseShare.objects.get()
    assert post(client, "unshare", case, {}, share.pk).status_code == 302
    today = timezone.localdate()
    date = {"starts_on_day": today.day, "starts_on_month": today.month,
            "starts_on_year": today.year}
    assert "Why is the current advocate changing?" not in client.get(
        reverse("cases:change_advocate", args=[case.pk])).content.decode()
    assert post(client, "change_advocate", case,
                {"advocate": str(advocate.pk), **date}).status_code == 302
    other = make_user("new.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
    response = post(client, "change_advocate", case, {"advocate": str(other.pk), **date})
    assert_error(response, f"Enter why {advocate.display_name} is no longer")
    assert post(client, "change_advocate", case, {"advocate": str(other.pk), **date,
                                                  "end_reason": "Moved team"}).status_code == 302
    assert AdvocateAllocation.objects.count() == 2
    html = client.get(reverse("cases:workers", args=[case.pk])).content.decode()
    assert "changed 1 time." in html and "Moved team" in html


def test_restrict_form(case, supervisor):
    client = client_for(supervisor)
    response = post(client, "restrict", case, {"version": "1", "reason": ""})
    assert_error(response, "Enter why the case is being restricted")
    assert post(client, "restrict", case, {"version": "1",
                                           "reason": "Child of a staff member"}).status_code == 302
    # Now restricted, the supervisor too says why before opening it again.
    url = reverse("cases:restrict", args=[case.pk])
    assert client.get(url).status_code == 302
    client.post(reverse("cases:open_restricted", args=[case.pk]),
                {"reason": "Reviewing the restriction", "next": url})
    assert "Ask to lift the restriction" in client.get(url).content.decode()
