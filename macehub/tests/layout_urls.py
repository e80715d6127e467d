"""A test-only URLconf that draws the shared layout and every component with a sample
form, so the layout can be checked (in unit tests and in a browser with axe) without
any app's views. Used with ``@pytest.mark.urls("macehub.tests.layout_urls")``.

It also names the URLs the layout and the middleware look up (home, sign-out, the
two-factor pages and the navigation's destinations).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from macehub.access.navigation import NAVIGATION
from macehub.forms import GovukDateField, GovukDateWidget

RISK_CHOICES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
INDICATOR_CHOICES = [
    ("missing", "Missing from home or care"),
    ("older_associates", "Older associates"),
    ("unexplained_gifts", "Unexplained gifts or money"),
]
AGENCY_CHOICES = [
    ("", "Choose an agency"),
    ("police", "County Police"),
    ("social_care", "County Children's Services"),
]


class SampleReferralForm(forms.Form):
    """One field of each kind the components draw (synthetic, for layout tests only)."""

    given_name = forms.CharField(
        label="Given name",
        help_text="As the child is known to your agency",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(label="Referrer email address", required=False)
    age = forms.IntegerField(label="Age", required=False)
    notes = forms.CharField(label="What happened", widget=forms.Textarea, required=False)
    agency = forms.ChoiceField(label="Referring agency", choices=AGENCY_CHOICES)
    risk = forms.ChoiceField(label="Risk level", choices=RISK_CHOICES, widget=forms.RadioSelect)
    indicators = forms.MultipleChoiceField(
        label="Exploitation indicators",
        help_text="Select all that apply",
        choices=INDICATOR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        help_text="For example, 27 3 2012",
        not_in_future=True,
        widget=GovukDateWidget(autocomplete="bday"),
    )
    consent = forms.BooleanField(
        label="The referrer has told the family about this referral",
        help_text="Unless telling them would put the child at risk",
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.data.get("given_name") == "Duplicate":
            raise ValidationError("A referral for this child is already open")
        return cleaned


# What a referrer might send with mistakes in it: values must survive the round trip.
INVALID_SUBMISSION = {
    "given_name": "",
    "email": "not-an-email",
    "age": "twelve",
    "notes": "Seen with older males at the bus station",
    "agency": "",
    "indicators": ["missing", "unexplained_gifts"],
    "date_of_birth_day": "12",
    "date_of_birth_month": "",
    "date_of_birth_year": "2012",
    "source": "layout-test",
}

LAYOUT_TEMPLATE = """{% extends "base.html" %}
{% block title %}Layout check{% endblock %}
{% block before_content %}{% include "components/back_link.html" with href="/" text="Back to home" %}{% endblock %}
{% block content %}
<h1 class="govuk-heading-xl">Layout check</h1>
<p class="govuk-body">The shared layout with nothing else on the page.</p>
{% endblock %}"""  # noqa: E501

COMPONENTS_TEMPLATE = """{% extends "base.html" %}{% load govuk %}
{% block title %}{% if form.errors %}Error: {% endif %}Components{% endblock %}
{% block before_content %}{% include "components/back_link.html" with href="/" %}{% endblock %}
{% block content %}
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    {% include "components/error_summary.html" with form=form %}
    <h1 class="govuk-heading-xl">Components</h1>
    <form method="post" novalidate>
      {% csrf_token %}
      {% for field in form %}{% include "components/field.html" with field=field %}{% endfor %}
      <button type="submit" class="govuk-button" data-module="govuk-button">Save referral</button>
    </form>
  </div>
</div>
{% include "components/sub_navigation.html" with items=tabs label="Referral sections" %}
<h2 class="govuk-heading-m">Summary {% include "components/tag.html" with text="High risk" colour="red" %} {% include "components/badge.html" with text="Urgent" colour="red" %}</h2>
<dl class="govuk-summary-list">
  {% include "components/summary_row.html" with key="Name" value="Jordan Example" action_href="#given_name" %}
  {% include "components/summary_row.html" with key="Date of birth" value=date_of_birth|govuk_date others_have_actions=True %}
  {% include "components/summary_row.html" with key="Ethnicity" value="" others_have_actions=True %}
</dl>
{% include "components/notification_banner.html" with text="This referral is waiting for triage" title_id="referral-banner-title" %}
<h2 class="govuk-heading-m">Chronology</h2>
{% include "components/timeline.html" with items=events heading_level=3 %}
<h2 class="govuk-heading-m">Results</h2>
<ul class="govuk-list">{% for row in page_obj %}<li>Result {{ row }}</li>{% endfor %}</ul>
{% include "components/pagination.html" with page_obj=page_obj %}
{% endblock %}"""  # noqa: E501

LOGIN_TEMPLATE = """{% extends "base.html" %}
{% block title %}Sign in{% endblock %}
{% block content %}{% include "components/error_summary.html" with form=form %}
<h1 class="govuk-heading-l">Sign in</h1>
<form method="post" novalidate>{% csrf_token %}
{% include "components/field.html" with field=form.username %}
{% include "components/field.html" with field=form.password %}
<button type="submit" class="govuk-button" data-module="govuk-button">Sign in</button>
</form>{% endblock %}"""

VERIFY_TEMPLATE = """{% extends "base.html" %}
{% block title %}Enter your security code{% endblock %}
{% block content %}{% include "components/error_summary.html" with form=form %}
<h1 class="govuk-heading-l">Enter your security code</h1>
<form method="post" novalidate>{% csrf_token %}
{% include "components/field.html" with field=form.token input_class="govuk-input--width-5" %}
<button type="submit" class="govuk-button" data-module="govuk-button">Continue</button>
</form>{% endblock %}"""

HOME_TEMPLATE = """{% extends "base.html" %}
{% block title %}Home{% endblock %}
{% block content %}<h1 class="govuk-heading-l">Signed in</h1>{% endblock %}"""


def _render(request: HttpRequest, source: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    page = engines["django"].from_string(source)
    return HttpResponse(page.render(context, request), status=status)


@login_not_required
def layout(request: HttpRequest) -> HttpResponse:
    return _render(request, LAYOUT_TEMPLATE, {})


@login_not_required
def components(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SampleReferralForm(request.POST)
        if form.is_valid():
            messages.success(request, "Referral saved")
    elif "invalid" in request.GET:
        form = SampleReferralForm(INVALID_SUBMISSION)
        form.is_valid()
        messages.success(request, "Draft kept")
        messages.info(request, "Triage meets at 10am")
    else:
        form = SampleReferralForm(initial={"date_of_birth": dt.date(2012, 3, 27)})
    now = timezone.now()
    context = {
        "form": form,
        "date_of_birth": dt.date(2012, 3, 27),
        "page_obj": Paginator(range(1, 201), 10).get_page(request.GET.get("page", 5)),
        "tabs": [
            {"text": "Referral", "href": "?tab=referral", "active": True},
            {"text": "Screening", "href": "?tab=screening"},
        ],
        "events": [
            {"label": "Referral received", "byline": "Sam Referrer", "datetime": now,
             "text": "From County Children's Services"},
            {"label": "Triage decision", "datetime": now - dt.timedelta(days=1)},
        ],
    }
    return _render(request, COMPONENTS_TEMPLATE, context)


@login_not_required
def error_page(request: HttpRequest, status: int) -> HttpResponse:
    page = engines["django"].get_template(f"{status}.html")
    return HttpResponse(page.render({}, request), status=status)


# --- Stand-ins for the accounts app's sign-in pages (same URLs, fields and buttons) ---


@login_not_required
def sign_in(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import login
    from django.contrib.auth.forms import AuthenticationForm
    from django.shortcuts import redirect

    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return redirect("accounts:two_factor_verify")
    return _render(request, LOGIN_TEMPLATE, {"form": form})


class TokenForm(forms.Form):
    token = forms.CharField(label="Security code", max_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import redirect
    from django_otp import login as otp_login
    from django_otp import match_token

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect("home")
        form.add_error("token", "The security code is wrong or has expired")
    return _render(request, VERIFY_TEMPLATE, {"form": form})


def home(request: HttpRequest) -> HttpResponse:
    return _render(request, HOME_TEMPLATE, {})


def placeholder(request: HttpRequest) -> HttpResponse:
    return HttpResponse("placeholder")


accounts_patterns = (
    [
        path("login/", sign_in, name="login"),
        path("logout/", login_not_required(placeholder), name="logout"),
        path("two-factor/setup/", placeholder, name="two_factor_setup"),
        path("two-factor/verify/", two_factor_verify, name="two_factor_verify"),
        path("admin/", placeholder, name="admin_home"),
        path("admin/role-changes/", placeholder, name="role_change_list"),
    ],
    "accounts",
)


def _navigation_placeholders() -> list[Any]:
    """A placeholder for every navigation destination outside ``accounts``, so the
    layout draws the real menu however many apps add to it."""
    by_namespace: dict[str, list[Any]] = {}
    for entry in NAVIGATION:
        if ":" not in entry.url_name:
            continue
        namespace, name = entry.url_name.split(":")
        if namespace == "accounts":
            continue
        routes = by_namespace.setdefault(namespace, [])
        routes.append(path(f"{name}/" if routes else "", placeholder, name=name))
    return [
        path(f"{namespace}/", include((routes, namespace)))
        for namespace, routes in by_namespace.items()
    ]


urlpatterns = [
    path("", home, name="home"),
    path("layout/", layout, name="layout"),
    path("components/", components, name="components"),
    path("errors/<int:status>/", error_page, name="error_page"),
    path("accounts/", include(accounts_patterns)),
    *_navigation_placeholders(),
]
