"""Signing in and out, two-factor enrolment and checks, the home page, the
administration of agencies, teams and users, and the requests to change a user's access
that a second administrator approves (which information governance reviews).

These pages sit in ``access``, not ``accounts``: each asks the access policy, and
``accounts`` (identity: users, agencies, teams, roles, two-factor) sits below it. Their
templates keep their ``accounts/`` names."""

from __future__ import annotations

import base64
import copy
import math
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from macehub.access import account_selectors as selectors
from macehub.access import account_services as services
from macehub.access import api_client_services, identity_provider_services
from macehub.access.actions import Action
from macehub.access.policy import allows, can, can_each
from macehub.access.typing import HubRequest
from macehub.access.views import public, requires
from macehub.accounts.forms import (
    AgencyForm,
    ApiClientForm,
    ApiTokenRenewalForm,
    IdentityProviderForm,
    RoleChangeDecisionForm,
    SignInForm,
    TeamForm,
    TokenForm,
    UserForm,
)
from macehub.accounts.models import (
    Agency,
    ApiClient,
    IdentityProvider,
    RoleChangeRequest,
    Team,
    User,
)
from macehub.accounts.single_sign_on import usable_identity_providers
from macehub.accounts.two_factor import session_is_verified
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors
from macehub.core.submissions import duplicates_go_to, refuse_if_already_submitted
from macehub.core.work_queue import WorkItem, WorkQueue, work_queue_for
from macehub.ui.form_pages import answer_form

STALE_REQUEST_MESSAGE = (
    "This user's access has changed since the request was made, so approving it would "
    "undo that change. Reject it, and ask for the change again if it is still needed."
)

class HubLoginView(auth_views.LoginView):
    """The sign-in page: a hub account's username and password, and a button for each
    identity provider that signs people in instead (the hub-wide one of the settings,
    then each agency's own that is usable)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        providers: list[tuple[str, str]] = []
        if settings.OIDC_ENABLED:
            providers.append((settings.OIDC_PROVIDER_NAME, reverse("accounts:oidc_start")))
        providers += [
            (provider.name, reverse("accounts:oidc_provider_start", args=[provider.slug]))
            for provider in usable_identity_providers()
        ]
        context["single_sign_on_providers"] = providers
        return context


login = public(
    HubLoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
    )
)

logout = requires(Action.USE_HUB)(
    require_POST(auth_views.LogoutView.as_view(http_method_names=["post"]))
)

password_change = requires(Action.USE_HUB)(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html",
        success_url=reverse_lazy("home"),
    )
)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy("home"))


def _qr_code_data_uri(config_url: str) -> str:
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _code_problem(device: TOTPDevice, token: str) -> str | None:
    """None if the code is right; otherwise what to tell the user. After a wrong code
    django-otp refuses every code for a growing pause: say so, rather than "wrong"."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        locked_until = (data or {}).get("locked_until")
        wait = (
            max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
            if locked_until else 1
        )
        return f"Too many wrong codes. Wait {wait} seconds, then enter the code shown now."
    if device.verify_token(token):
        return None
    return "The security code is wrong or has expired – try the new one"


@requires(Action.USE_HUB)
def two_factor_setup(request: HubRequest) -> HttpResponse:
    """Enrol an authenticator app: show a QR code, confirm with the first code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Adding a device needs the existing one first, or a stolen password would do.
        if not session_is_verified(user):
            return redirect("accounts:two_factor_verify")
        messages.success(request, "Two-factor authentication is already set up.")
        return redirect("home")
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = _code_problem(device, form.cleaned_data["token"])
        if problem is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_event(event_type=EventType.TWO_FACTOR_ENROLLED, actor=user, request=request)
            messages.success(request, "Two-factor authentication is set up.")
            return redirect("home")
        record_event(event_type=EventType.TWO_FACTOR_FAILURE, actor=user, request=request)
        form.add_error("token", problem)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_code": _qr_code_data_uri(device.config_url), "secret": secret},
    )


@requires(Action.USE_HUB)
def two_factor_verify(request: HubRequest) -> HttpResponse:
    """The second step of signing in: a code from the user's authenticator app."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = _code_problem(device, form.cleaned_data["token"])
        if problem is None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        record_event(event_type=EventType.TWO_FACTOR_FAILURE, actor=user, request=request)
        form.add_error("token", problem)
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


# The most rows the home page lists under one tab; the rest are a click away, in the
# tab's own list (the triage queue, the case's plan...).
WORK_QUEUE_ROWS = 50


def _work_queue_tabs(queue: WorkQueue, show: str) -> list[dict[str, Any]]:
    home = reverse("home")
    tabs = [
        {"text": "All", "href": home, "active": show == "", "count": str(queue.count)},
        {"text": "Overdue", "href": f"{home}?show=overdue", "active": show == "overdue",
         "count": str(queue.overdue_count),
         "badge_colour": "red" if queue.overdue_count else ""},
    ]
    for work in queue.lists:
        tabs.append({"text": work.source.label, "href": f"{home}?show={work.source.name}",
                     "active": show == work.source.name, "count": str(work.count)})
    return tabs


def _work_queue_shown(queue: WorkQueue, show: str) -> tuple[list[WorkItem], int]:
    """The first rows of the tab shown, and how many the tab holds: only the rows shown
    are drawn (a supervisor's queue at national scale holds thousands)."""
    if show == "overdue":
        return queue.first(WORK_QUEUE_ROWS, overdue=True), queue.overdue_count
    work = queue.list_named(show)
    if work is not None:
        return work.first(WORK_QUEUE_ROWS), work.count
    return queue.first(WORK_QUEUE_ROWS), queue.count


def _record_work_queue_viewed(request: HubRequest, items: list[WorkItem]) -> None:
    """A list that names children is a view of each of them: one entry per kind of
    record shown, naming them all."""
    shown: dict[str, set[int]] = {}
    for item in items:
        if item.names_record is not None:
            record_type, record_id = item.names_record
            shown.setdefault(record_type, set()).add(record_id)
    for record_type, ids in sorted(shown.items()):
        record_event(event_type=EventType.VIEW, actor=request.user, record_type=record_type,
                     detail={"list": "work queue", "shown": sorted(ids)}, request=request)


@requires(Action.USE_HUB)
def home(request: HubRequest) -> HttpResponse:
    """The signed-in user's work queue: what is due and overdue for their role and
    agency, each with its clock and a link to act on it, by tab (see
    ``macehub.core.work_queue``); and the pages their role opens."""
    user = request.user
    queue = work_queue_for(user, timezone.now())
    show = request.GET.get("show", "")
    if show != "overdue" and queue.list_named(show) is None:
        show = ""
    shown, held = _work_queue_shown(queue, show)
    work = queue.list_named(show)
    everything = work.source.everything if work is not None else ""
    rows = [{"item": item, "clock": item.clock(queue.now)} for item in shown]
    _record_work_queue_viewed(request, shown)
    return render(
        request,
        "accounts/home.html",
        {
            "tabs": _work_queue_tabs(queue, show),
            "show": show,
            "rows": rows,
            "not_shown": held - len(rows),
            "everything_url": reverse(everything) if everything else "",
            "everything_label": work.source.label if work is not None else "",
            "queue_count": queue.count,
            "can_refer": allows(user, Action.REFERRAL_SUBMIT),
            "can_view_own_referrals": allows(user, Action.REFERRAL_VIEW_OWN),
            "can_triage": allows(user, Action.REFERRAL_VIEW),
            "can_share_information": allows(user, Action.INTELLIGENCE_SUBMIT)
            and not allows(user, Action.INTELLIGENCE_VIEW),
            "can_search_people": allows(user, Action.PERSON_SEARCH),
            "can_create_person": allows(user, Action.PERSON_CREATE),
            "can_review_matches": allows(user, Action.PERSON_MATCH_REVIEW),
            "can_list_cases": allows(user, Action.CASE_LIST),
            "can_view_performance": allows(user, Action.PERFORMANCE_VIEW),
            "can_view_published": allows(user, Action.PERFORMANCE_PUBLISHED_VIEW),
            "equality_url": "equality:overview" if allows(user, Action.EQUALITY_VIEW)
            else "equality:published" if allows(user, Action.EQUALITY_PUBLISHED_VIEW) else "",
            "can_view_areas": allows(user, Action.AREA_VIEW),
            "can_view_audit": allows(user, Action.AUDIT_LOG_VIEW),
            "can_manage_accounts": allows(user, Action.ACCOUNTS_MANAGE),
            "can_view_role_changes": allows(user, Action.ROLE_CHANGE_VIEW),
            "two_factor_required": settings.REQUIRE_TWO_FACTOR,
        },
    )


# --- Administration -------------------------------------------------------------------


@requires(Action.ACCOUNTS_MANAGE)
def admin_home(request: HubRequest) -> HttpResponse:
    return render(
        request,
        "accounts/admin_home.html",
        {
            "agency_count": Agency.objects.count(),
            "team_count": Team.objects.count(),
            "user_count": User.objects.count(),
            "pending_role_change_count": selectors.pending_role_changes(request.user).count(),
            "api_client_count": ApiClient.objects.filter(revoked_at__isnull=True).count(),
            "identity_provider_count": IdentityProvider.objects.filter(is_active=True).count(),
        },
    )


@requires(Action.ACCOUNTS_MANAGE)
def agency_list(request: HubRequest) -> HttpResponse:
    agencies = Agency.objects.all()
    return render(request, "accounts/agency_list.html", {"agencies": agencies})


def _edit_page(
    request: HttpRequest, *, form: Any, page_title: str, save: Any, list_url_name: str
) -> HttpResponse:
    """The shared shape of every administration form: validate, save, back to the list.
    A service's refusal is shown beside the field it is about, keeping what was typed."""
    list_url = str(reverse_lazy(list_url_name))
    if request.method == "POST":
        # The same form sent again would be refused for the code or name its first
        # sending took: it is told it was already submitted instead.
        refuse_if_already_submitted()
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{page_title}: saved.")
            return redirect(list_url)
    return render(
        request,
        "accounts/admin_form.html",
        {"form": form, "page_title": page_title, "back_url": list_url},
    )


@requires(Action.ACCOUNTS_MANAGE)
def agency_edit(request: HubRequest, agency_pk: int | None = None) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=agency_pk) if agency_pk else None
    form = AgencyForm(request.POST or None, instance=agency)
    return _edit_page(
        request,
        form=form,
        page_title=f"Change {agency}" if agency else "Add an agency",
        save=lambda f: services.save_agency(actor=request.user, agency=f.save(commit=False)),
        list_url_name="accounts:agency_list",
    )


@requires(Action.ACCOUNTS_MANAGE)
def team_list(request: HubRequest) -> HttpResponse:
    teams = Team.objects.select_related("agency")
    return render(request, "accounts/team_list.html", {"teams": teams})


@requires(Action.ACCOUNTS_MANAGE)
def team_edit(request: HubRequest, team_pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_pk) if team_pk else None
    form = TeamForm(request.POST or None, instance=team)
    return _edit_page(
        request,
        form=form,
        page_title=f"Change {team}" if team else "Add a team",
        save=lambda f: services.save_team(actor=request.user, team=f.save(commit=False)),
        list_url_name="accounts:team_list",
    )


@requires(Action.ACCOUNTS_MANAGE)
def user_list(request: HubRequest) -> HttpResponse:
    users = User.objects.select_related("agency", "team").prefetch_related("role_assignments")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page_obj": page})


@requires(Action.ACCOUNTS_MANAGE)
def user_edit(request: HubRequest, user_pk: int | None = None) -> HttpResponse:
    """Add or change a user. A change of access that needs a second administrator is saved
    as a request and shown here, waiting, until one decides it."""
    actor = request.user
    account = get_object_or_404(User, pk=user_pk) if user_pk else None
    page_title = f"Change {account.username}" if account else "Add a user"
    form = UserForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_user(
                actor=actor,
                user=form.save(commit=False),
                roles=form.cleaned_data["roles"],
                password=form.cleaned_data.get("password"),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if saved.request is None:
                messages.success(request, f"{page_title}: saved.")
                return redirect("accounts:user_list")
            messages.success(
                request,
                f"{saved.user.username}: the change of access is waiting for a second "
                "administrator to approve it. Nothing else about their access has changed.",
            )
            return redirect("accounts:user_edit", user_pk=saved.user.pk)
    pending = (
        list(selectors.pending_role_changes_for(actor, account)) if account else []
    )
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "page_title": page_title,
            "back_url": reverse("accounts:user_list"),
            "own_account": account is not None and account.pk == actor.pk,
            "pending_changes": pending,
            "decidable": can_each(actor, Action.ROLE_CHANGE_DECIDE, pending),
        },
    )


# --- Changes of access that need a second administrator --------------------------------


@requires(Action.ROLE_CHANGE_VIEW)
def role_change_list(request: HubRequest) -> HttpResponse:
    """Waiting requests (an administrator's queue) and decided ones, with who asked and
    who decided, when."""
    user = request.user
    pending = selectors.pending_role_changes(user)
    decided = Paginator(selectors.decided_role_changes(user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/role_change_list.html",
        {
            "pending": pending,
            "decidable": selectors.decidable_ids(user, pending),
            "page_obj": decided,
        },
    )


@requires(Action.ROLE_CHANGE_VIEW)
def role_change_detail(request: HubRequest, role_change_pk: int) -> HttpResponse:
    change = selectors.role_change_for_view(request.user, role_change_pk)
    return render(
        request,
        "accounts/role_change_detail.html",
        {
            "change": change,
            "may_decide": change.is_pending
            and can(request.user, Action.ROLE_CHANGE_DECIDE, change),
        },
    )


@requires(Action.ROLE_CHANGE_DECIDE)
def role_change_decide(request: HubRequest, role_change_pk: int) -> HttpResponse:
    """A second administrator approves or rejects a request (never their own, nor one
    about themselves: 403)."""
    actor = request.user
    change = selectors.role_change_for_decision(actor, role_change_pk)
    detail_url = reverse("accounts:role_change_detail", args=[change.pk])
    if not change.is_pending:
        return redirect(detail_url)
    form = RoleChangeDecisionForm(request.POST or None)
    stale = None
    if request.method == "POST" and form.is_valid():
        approving = form.cleaned_data["decision"] == RoleChangeDecisionForm.APPROVE
        decide = services.approve_role_change if approving else services.reject_role_change
        try:
            decide(actor=actor, request_pk=change.pk, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            add_service_errors(form, error)
        except services.RoleChangeStale as error:
            stale = error.differences
            form.add_error("decision", STALE_REQUEST_MESSAGE)
        else:
            messages.success(
                request,
                f"Change of access for {change.subject.username} "
                f"{'approved and applied' if approving else 'rejected: nothing changed'}.",
            )
            return redirect("accounts:role_change_list")
    return render(
        request,
        "accounts/role_change_decide.html",
        {"change": change, "form": form, "stale": stale, "back_url": detail_url},
    )


# --- Partner systems' API clients ------------------------------------------------------


@requires(Action.ACCOUNTS_MANAGE)
def api_client_list(request: HubRequest) -> HttpResponse:
    clients = ApiClient.objects.select_related("service_account__agency")
    return render(request, "accounts/api_client_list.html",
                  {"clients": clients, "now": timezone.now()})


@requires(Action.ACCOUNTS_MANAGE)
def api_client_create(request: HubRequest) -> HttpResponse:
    """Issue a client. Its token is shown on the answer to this form and nowhere else:
    it is not kept, so it cannot be shown again."""
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = api_client_services.issue_api_client(
                actor=request.user, name=data["name"], agency=data["agency"],
                team=data["team"], roles=data["roles"], valid_days=data["valid_days"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            duplicates_go_to(reverse("accounts:api_client_detail", args=[issued.client.pk]))
            return _token_shown_once(request, issued.client, issued.token,
                                     waiting=issued.request)
    return render(request, "accounts/admin_form.html", {
        "form": form, "page_title": "Add an API client",
        "back_url": reverse("accounts:api_client_list"),
    })


def _token_shown_once(request: HubRequest, client: ApiClient, token: str, *,
                      waiting: RoleChangeRequest | None = None, renewed: bool = False,
                      ) -> HttpResponse:
    response = render(request, "accounts/api_client_issued.html", {
        "client": client, "token": token, "waiting": waiting, "renewed": renewed})
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.ACCOUNTS_MANAGE)
def api_client_renew_token(request: HubRequest, api_client_pk: int) -> HttpResponse:
    """A new token for the client, shown on the answer to this form and nowhere else;
    the current one keeps working for the days the administrator chose."""
    client = get_object_or_404(ApiClient, pk=api_client_pk, revoked_at__isnull=True)
    form = ApiTokenRenewalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            renewed = api_client_services.renew_api_client_token(
                actor=request.user, client_pk=client.pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _token_shown_once(request, renewed.client, renewed.token, renewed=True)
    return render(request, "accounts/admin_form.html", {
        "form": form, "page_title": f"New token for {client.name}",
        "back_url": reverse("accounts:api_client_detail", args=[client.pk]),
    })


@requires(Action.ACCOUNTS_MANAGE)
def api_client_detail(request: HubRequest, api_client_pk: int) -> HttpResponse:
    """A client's details; revoking its token is the one change (POST)."""
    client = get_object_or_404(
        ApiClient.objects.select_related("service_account__agency", "created_by",
                                         "revoked_by"), pk=api_client_pk)
    if request.method == "POST":
        try:
            api_client_services.revoke_api_client(actor=request.user, client_pk=client.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{client.name}: its token has been revoked. It no "
                                      "longer opens the API.")
        return redirect("accounts:api_client_detail", api_client_pk=client.pk)
    return render(request, "accounts/api_client_detail.html", {
        "client": client, "now": timezone.now(),
        "roles": client.service_account.role_labels,
    })


# --- Agencies' own identity providers ---------------------------------------------------

PROVIDER_CONFLICT_MESSAGE = (
    "Someone else changed this identity provider while you were reading it. Nothing has "
    "been saved: check their changes below, then save again if yours are still needed.")


@requires(Action.ACCOUNTS_MANAGE)
def identity_provider_list(request: HubRequest) -> HttpResponse:
    providers = IdentityProvider.objects.select_related("agency")
    return render(request, "accounts/identity_provider_list.html", {"providers": providers})


@requires(Action.ACCOUNTS_MANAGE)
def identity_provider_edit(request: HubRequest,
                           identity_provider_pk: int | None = None) -> HttpResponse:
    """Register an agency's provider, or change or deactivate one; its secret stays in
    the environment, so the page says whether the variable it names is set."""
    found = (get_object_or_404(IdentityProvider.objects.select_related("agency"),
                               pk=identity_provider_pk) if identity_provider_pk else None)

    made: list[IdentityProviderForm] = []

    def make(data: Any) -> IdentityProviderForm:
        # A copy each time: the form writes what was typed into its instance.
        made.append(IdentityProviderForm(
            data, instance=copy.copy(found) if found else IdentityProvider(),
            initial={"version": found.version if found else None}))
        return made[-1]

    def save(data: dict[str, Any]) -> str:
        saved = identity_provider_services.save_identity_provider(
            actor=request.user, provider=made[-1].save(commit=False),
            expected_version=data["version"])
        return f"{saved.name}: saved."

    answered = answer_form(request, make, save, conflict_message=PROVIDER_CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("accounts:identity_provider_list")
    return render(request, "accounts/identity_provider_form.html", {
        "form": answered.form, "conflict": answered.conflict, "provider": found,
        "page_title": f"Change {found.name}" if found else "Add an identity provider",
        "back_url": reverse("accounts:identity_provider_list"),
        "callback_url": request.build_absolute_uri(reverse("accounts:oidc_callback")),
    }, status=answered.status)
