"""The shared components and layout, rendered without a browser: fields keep what was
typed, errors are tied to their controls, the date input validates GOV.UK style, link
buttons come from one component, and the layout carries no inline styles (the content
security policy forbids them)."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django.utils.html import format_html

from macehub.forms import GovukDateField, GovukDateWidget
from macehub.tests.layout_urls import INVALID_SUBMISSION, SampleReferralForm
from macehub.ui.templatetags import govuk

LAYOUT_URLS = "macehub.tests.layout_urls"


def render(source: str, context: dict[str, Any] | None = None, request: Any = None) -> str:
    return engines["django"].from_string(source).render(context or {}, request)


def field_html(form: forms.BaseForm, name: str, **params: str) -> str:
    extra = " ".join(f'{key}="{value}"' for key, value in params.items())
    return render(
        '{% include "components/field.html" with field=field ' + extra + " %}",
        {"field": form[name]},
    )


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def invalid_form() -> SampleReferralForm:
    form = SampleReferralForm(INVALID_SUBMISSION)
    assert not form.is_valid()
    return form


# --- Fields ---------------------------------------------------------------------------


def test_text_input_with_error_is_tied_to_its_hint_and_message(invalid_form: Any) -> None:
    html = squash(field_html(invalid_form, "given_name"))
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<label class="govuk-label" for="id_given_name">Given name</label>' in html
    assert '<div id="id_given_name-hint" class="govuk-hint">' in html
    assert (
        '<p id="id_given_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_given_name-hint id_given_name-error"' in html
    # Attributes the form declares on the widget reach the input; "required" does not
    # (GOV.UK forms validate on the server).
    assert 'autocomplete="off"' in html and 'spellcheck="false"' in html
    assert not re.search(r"<input[^>]*\brequired\b", html)


def test_submitted_values_are_kept_after_errors(invalid_form: Any) -> None:
    assert 'value="not-an-email"' in field_html(invalid_form, "email")
    assert 'type="email"' in field_html(invalid_form, "email")
    assert 'value="twelve"' in field_html(invalid_form, "age")
    textarea = field_html(invalid_form, "notes")
    assert "Seen with older males at the bus station</textarea>" in textarea
    assert 'rows="5"' in textarea
    checkboxes = squash(field_html(invalid_form, "indicators"))
    assert 'id="id_indicators_0" name="indicators" type="checkbox" value="missing" checked' in (
        checkboxes
    )
    assert 'value="older_associates">' in checkboxes
    assert 'value="unexplained_gifts" checked' in checkboxes
    date = squash(field_html(invalid_form, "date_of_birth"))
    assert 'id="id_date_of_birth_day" name="date_of_birth_day" type="text" value="12"' in date
    assert 'name="date_of_birth_year" type="text" value="2012"' in date


def test_select_and_radios_keep_the_choice_made() -> None:
    form = SampleReferralForm({"agency": "police", "risk": "medium"})
    form.is_valid()
    select = squash(field_html(form, "agency", input_class="govuk-!-width-one-half"))
    assert '<select class="govuk-select govuk-!-width-one-half" id="id_agency" name="agency"' in (
        select
    )
    assert '<option value="police" selected>County Police</option>' in select
    radios = squash(field_html(form, "risk", input_class="govuk-radios--inline"))
    assert '<div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">' in radios
    assert 'id="id_risk_1" name="risk" type="radio" value="medium" checked' in radios
    assert '<legend class="govuk-fieldset__legend"> Risk level </legend>' in radios


def test_single_checkbox_keeps_its_state_and_hint() -> None:
    form = SampleReferralForm({"consent": "true"})
    form.is_valid()
    html = squash(field_html(form, "consent"))
    assert 'type="checkbox" value="true" checked aria-describedby="id_consent-hint"' in html
    assert 'class="govuk-hint govuk-checkboxes__hint"' in html
    assert "<fieldset" not in html


def test_page_heading_labels_and_legends() -> None:
    form = SampleReferralForm()
    label = squash(field_html(form, "given_name", is_page_heading="True"))
    assert (
        '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" '
        'for="id_given_name">Given name</label></h1>'
    ) in label
    legend = squash(field_html(form, "risk", is_page_heading="True"))
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">' in legend
    assert '<h1 class="govuk-fieldset__heading">Risk level</h1>' in legend


def test_unbound_date_shows_its_initial_value() -> None:
    form = SampleReferralForm(initial={"date_of_birth": dt.date(2012, 3, 27)})
    html = squash(field_html(form, "date_of_birth"))
    assert 'role="group" aria-describedby="id_date_of_birth-hint"' in html
    assert 'id="id_date_of_birth_month" name="date_of_birth_month" type="text" value="3"' in html
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="bday-year"' in html
    assert "govuk-input--error" not in html


def test_date_error_marks_only_the_missing_box(invalid_form: Any) -> None:
    html = squash(field_html(invalid_form, "date_of_birth"))
    assert "Date of birth must include a month" in html
    classes = dict(re.findall(r'class="govuk-input govuk-date-input__input ([^"]*)" id="([^"]*)"',
                              html)[i][::-1] for i in range(3))
    assert classes == {
        "id_date_of_birth_day": "govuk-input--width-2",
        "id_date_of_birth_month": "govuk-input--width-2 govuk-input--error",
        "id_date_of_birth_year": "govuk-input--width-4",
    }


def test_hidden_fields_render_as_hidden_inputs(invalid_form: Any) -> None:
    html = field_html(invalid_form, "source")
    assert html.strip() == (
        '<input type="hidden" name="source" value="layout-test" id="id_source">'
    )


# --- Error summary --------------------------------------------------------------------


def test_error_summary_links_each_error_to_its_control(invalid_form: Any) -> None:
    html = squash(render('{% include "components/error_summary.html" with form=form %}',
                         {"form": invalid_form}))
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html)
    assert links == [
        ("id_given_name", "This field is required."),
        ("id_email", "Enter a valid email address."),
        ("id_age", "Enter a whole number."),
        ("id_agency", "This field is required."),
        ("id_risk_0", "This field is required."),
        ("id_date_of_birth_month", "Date of birth must include a month"),
        ("id_consent", "This field is required."),
    ]


def test_error_summary_lists_form_wide_errors_first_without_a_link() -> None:
    form = SampleReferralForm({"given_name": "Duplicate"})
    form.is_valid()
    html = squash(render('{% include "components/error_summary.html" with form=form %}',
                         {"form": form}))
    assert '<ul class="govuk-list govuk-error-summary__list"> <li>A referral for this child' in (
        html
    )


def test_error_summary_is_empty_without_errors() -> None:
    form = SampleReferralForm()
    html = render('{% include "components/error_summary.html" with form=form %}', {"form": form})
    assert html.strip() == ""


# --- The date field -------------------------------------------------------------------


class DateForm(forms.Form):
    date_of_birth = GovukDateField(not_in_future=True)
    review_date = GovukDateField(label="Review date", not_in_past=True, required=False)
    nhs_date = GovukDateField(label="NHS registration date", required=False)


def date_errors(name: str, day: str, month: str, year: str) -> list[str]:
    form = DateForm({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year,
                     **({} if name == "date_of_birth" else {"date_of_birth_day": "1",
                        "date_of_birth_month": "1", "date_of_birth_year": "2010"})})
    form.is_valid()
    return list(form.errors.get(name, []))


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter date of birth"),
        ("12", "", "2012", "Date of birth must include a month"),
        ("", "", "2012", "Date of birth must include a day and month"),
        ("12", "3", "", "Date of birth must include a year"),
        ("31", "2", "2012", "Date of birth must be a real date"),
        ("12", "13", "2012", "Date of birth must be a real date"),
        ("1st", "3", "2012", "Date of birth must be a real date"),
        ("12", "Marchember", "2012", "Date of birth must be a real date"),
        ("12", "3", "12", "Year must include 4 numbers"),
        ("1", "1", "2999", "Date of birth must be today or in the past"),
    ],
)
def test_date_field_messages(day: str, month: str, year: str, message: str) -> None:
    assert date_errors("date_of_birth", day, month, year) == [message]


def test_date_field_keeps_acronyms_and_checks_the_past() -> None:
    assert date_errors("nhs_date", "", "4", "") == [
        "NHS registration date must include a day and year"
    ]
    assert date_errors("review_date", "1", "1", "2001") == [
        "Review date must be today or in the future"
    ]


def test_date_field_returns_a_date_and_accepts_month_names() -> None:
    form = DateForm({"date_of_birth_day": " 27 ", "date_of_birth_month": "Mar",
                     "date_of_birth_year": "2012", "review_date_day": "",
                     "review_date_month": "", "review_date_year": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == dt.date(2012, 3, 27)
    assert form.cleaned_data["review_date"] is None


def test_today_is_allowed_for_a_date_not_in_the_future() -> None:
    today = timezone.localdate()
    assert date_errors("date_of_birth", str(today.day), str(today.month), str(today.year)) == []


def test_date_field_custom_messages_and_error_parts() -> None:
    field = GovukDateField(label="Date of incident",
                           error_messages={"required": "Enter the date of the incident"})
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(["", "", ""])
    assert caught.value.messages == ["Enter the date of the incident"]
    assert GovukDateField.parts_in_error("missing_day_year") == ("day", "year")
    assert GovukDateField.parts_in_error("invalid") == ("day", "month", "year")
    assert GovukDateField.parts_in_error("year_digits") == ("year",)


def test_date_widget_names_and_has_changed() -> None:
    widget = GovukDateWidget()
    assert widget.value_from_datadict(
        {"when_day": "1", "when_month": "2", "when_year": "2020"}, {}, "when"
    ) == ["1", "2", "2020"]
    assert widget.id_for_label("id_when") == "id_when_day"
    field = GovukDateField()
    assert not field.has_changed(dt.date(2020, 2, 1), ["1", "2", "2020"])
    assert field.has_changed(dt.date(2020, 2, 1), ["1", "", "2020"])


# --- Other components -----------------------------------------------------------------


def test_summary_rows() -> None:
    html = squash(render(
        '{% include "components/summary_row.html" with key="Name" value="Jordan" '
        'action_href="/edit/" %}'
        '{% include "components/summary_row.html" with key="Ethnicity" value="" '
        "others_have_actions=True %}"
        '{% include "components/summary_row.html" with key="Children" value=0 %}'
    ))
    assert (
        '<a class="govuk-link" href="/edit/">Change<span class="govuk-visually-hidden"> Name'
        "</span></a>"
    ) in html
    assert (
        '<div class="govuk-summary-list__row govuk-summary-list__row--no-actions"> '
        '<dt class="govuk-summary-list__key">Ethnicity</dt> '
        '<dd class="govuk-summary-list__value">Not recorded</dd>'
    ) in html
    assert '<dd class="govuk-summary-list__value">0</dd>' in html


def test_pagination_keeps_the_query_and_elides_pages() -> None:
    request = RequestFactory().get("/people/", {"q": "Jordan Example", "page": "5", "sort": "dob"})
    page_obj = Paginator(range(200), 10).get_page(5)
    html = squash(render('{% include "components/pagination.html" with page_obj=page_obj %}',
                         {"page_obj": page_obj, "request": request}))
    assert '<nav class="govuk-pagination" aria-label="Pagination">' in html
    assert 'href="?q=Jordan+Example&amp;page=4&amp;sort=dob" rel="prev"' in html
    assert 'href="?q=Jordan+Example&amp;page=6&amp;sort=dob" rel="next"' in html
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "4", "5", "6", "20"]
    assert html.count("govuk-pagination__item--ellipsis") == 2
    assert 'aria-label="Page 5" aria-current="page"' in html


def test_pagination_is_empty_for_one_page() -> None:
    page_obj = Paginator(range(5), 10).get_page(1)
    html = render('{% include "components/pagination.html" with page_obj=page_obj %}',
                  {"page_obj": page_obj})
    assert html.strip() == ""


def test_page_of_pages_a_list_by_its_own_parameter_and_keeps_the_others() -> None:
    request = RequestFactory().get("/cases/1/", {"contacts_page": "2", "plan_page": "3"})
    html = squash(render(
        "{% load govuk %}{% page_of rows \"contacts_page\" per_page=10 as page_obj %}"
        "{% page_summary page_obj \"contacts\" %}|{% for row in page_obj %}{{ row }},{% endfor %}"
        '{% include "components/pagination.html" with page_obj=page_obj '
        'page_param="contacts_page" %}',
        {"rows": list(range(1, 26))}, request))
    assert "Showing 11 to 20 of 25 contacts|11,12,13,14,15,16,17,18,19,20," in html
    assert 'href="?contacts_page=3&amp;plan_page=3" rel="next"' in html
    assert 'href="?contacts_page=1&amp;plan_page=3" rel="prev"' in html


def test_page_of_gives_the_last_page_for_a_number_past_the_end_and_no_summary_for_one(
) -> None:
    request = RequestFactory().get("/cases/1/", {"page": "99"})
    html = render("{% load govuk %}{% page_of rows as page_obj %}{{ page_obj.number }}",
                  {"rows": list(range(45))}, request)
    assert html == "3"
    one = render("{% load govuk %}{% page_of rows as page_obj %}"
                 "[{% page_summary page_obj %}]", {"rows": [1, 2]}, request)
    assert one == "[]"


def test_notification_banner_types() -> None:
    success = squash(render(
        '{% include "components/notification_banner.html" with type="success" items=items %}',
        {"items": ["Person saved"]},
    ))
    assert 'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in (
        success
    )
    assert ">Success</h2>" in success
    assert '<p class="govuk-notification-banner__heading">Person saved</p>' in success
    important = squash(render(
        '{% include "components/notification_banner.html" with text="Case closed" %}'
    ))
    assert 'class="govuk-notification-banner" role="region"' in important
    assert ">Important</h2>" in important


def test_tag_back_link_badge_and_sub_navigation() -> None:
    assert render('{% include "components/tag.html" with text="Closed" colour="grey" %}').strip() \
        == '<strong class="govuk-tag govuk-tag--grey">Closed</strong>'
    assert render('{% include "components/tag.html" with text="Open" %}').strip() \
        == '<strong class="govuk-tag">Open</strong>'
    assert render('{% include "components/back_link.html" with href="/people/" %}').strip() \
        == '<a href="/people/" class="govuk-back-link">Back</a>'
    assert render('{% include "components/badge.html" with text="3" colour="red" %}').strip() \
        == '<span class="moj-badge moj-badge--red">3</span>'
    nav = squash(render('{% include "components/sub_navigation.html" with items=items %}',
                        {"items": [{"text": "Plan", "href": "/plan/", "active": True}]}))
    assert '<a class="moj-sub-navigation__link" href="/plan/" aria-current="page">Plan</a>' in nav


def link_button(params: str, context: dict[str, Any] | None = None) -> str:
    return render('{% include "components/link_button.html" with ' + params + " %}",
                  context).strip()


def test_link_button_has_govuk_link_button_markup() -> None:
    # GOV.UK's own macro gives a link button exactly these attributes, in this order
    # (govuk-frontend's button fixtures, "link").
    assert link_button('href="/people/new/" text="Add a person"') == (
        '<a href="/people/new/" role="button" draggable="false" class="govuk-button" '
        'data-module="govuk-button">Add a person</a>'
    )
    assert link_button('href="/cases/1/share/" text="Share with an agency" secondary=True') == (
        '<a href="/cases/1/share/" role="button" draggable="false" '
        'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
        "Share with an agency</a>"
    )


def test_link_button_download_and_escaping() -> None:
    html = link_button("href=href text=text download=True",
                       {"href": "?area=north&status=graded", "text": "Download <CSV>"})
    assert html == (
        '<a href="?area=north&amp;status=graded" role="button" draggable="false" '
        'class="govuk-button" data-module="govuk-button" download>Download &lt;CSV&gt;</a>'
    )


def test_button_has_govuk_button_markup() -> None:
    # GOV.UK's own macro gives a button exactly these attributes (govuk-frontend's button
    # fixtures: "default", "secondary", "warning", "prevent double click"). The hub's
    # buttons ignore a double click unless told not to.
    assert render('{% include "components/button.html" with text="Save" '
                  'prevent_double_click=False only %}').strip() == (
        '<button type="submit" class="govuk-button" data-module="govuk-button">Save</button>'
    )
    assert render('{% include "components/button.html" with text="Save" only %}').strip() == (
        '<button type="submit" class="govuk-button" data-module="govuk-button" '
        'data-prevent-double-click="true">Save</button>'
    )
    assert squash(render(
        '{% include "components/button.html" with text="Remove the link" warning=True '
        'prevent_double_click=True name="action" value="remove" only %}'
    )).strip() == (
        '<button type="submit" name="action" value="remove" '
        'class="govuk-button govuk-button--warning" data-module="govuk-button" '
        'data-prevent-double-click="true">Remove the link</button>'
    )
    assert 'class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"' in render(
        '{% include "components/button.html" with text="Sign out" secondary=True '
        'classes="govuk-!-margin-bottom-0" only %}'
    )
    # Given href, it is a link button.
    assert render('{% include "components/button.html" with text="Add" href="/x/" only %}'
                  ).strip() == link_button('href="/x/" text="Add"')


def test_warning_text_from_text_or_from_the_page() -> None:
    plain = squash(render('{% include "components/warning_text.html" with text=text '
                          'id="freeze-warning" only %}',
                          {"text": "Publishing <cannot> be undone."}))
    assert plain.strip() == (
        '<div class="govuk-warning-text" id="freeze-warning"> '
        '<span class="govuk-warning-text__icon" aria-hidden="true">!</span> '
        '<strong class="govuk-warning-text__text"> '
        '<span class="govuk-visually-hidden">Warning</span> '
        "Publishing &lt;cannot&gt; be undone. </strong> </div>"
    )
    written = squash(render(
        "{% load govuk %}{% warning_text blocks=True %}<ul><li>{{ n }} item{{ n|pluralize }} "
        "& {{ who }}</li></ul>{% endwarning_text %}", {"n": 2, "who": "<b>"}))
    assert '<div class="govuk-warning-text__text"> <span class="govuk-visually-hidden">' in written
    assert "<ul><li>2 items & &lt;b&gt;</li></ul>" in written


def test_notification_banner_around_content_the_page_writes() -> None:
    html = squash(render(
        '{% load govuk %}{% notification_banner title_text="New referral joined" '
        'title_id="joined-title" classes="app-referral-joined" %}<p>From {{ who }}</p>'
        "{% endnotification_banner %}", {"who": "<School>"}))
    assert ('<div class="govuk-notification-banner app-referral-joined" role="region" '
            'aria-labelledby="joined-title" data-module="govuk-notification-banner">') in html
    assert '<h2 class="govuk-notification-banner__title" id="joined-title">New referral joined' in (
        html
    )
    assert "<p>From &lt;School&gt;</p>" in html


def test_error_summary_around_content_the_page_writes() -> None:
    html = squash(render(
        '{% load govuk %}{% error_summary title_text="The audit log has been tampered with" %}'
        "<p>Entry {{ n }} is broken</p>{% enderror_summary %}", {"n": 7}))
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert ('<h2 class="govuk-error-summary__title">The audit log has been tampered with'
            "</h2>") in html
    assert '<div class="govuk-error-summary__body"> <p>Entry 7 is broken</p>' in html
    assert "govuk-error-summary__list" not in html


def test_table_follows_the_govuk_table_macro() -> None:
    html = squash(render(
        '{% include "components/table.html" with caption="Cases by tier" '
        'caption_classes="govuk-table__caption--m" head=head rows=rows '
        "first_cell_is_header=True only %}",
        {"head": ["Tier", {"text": "Cases", "format": "numeric"}],
         "rows": [["High", {"text": 12, "format": "numeric"}],
                  [{"text": "<Low>"}, {"html": "<b>3</b>", "format": "numeric"}]]},
    ))
    assert '<table class="govuk-table">' in html
    assert ('<caption class="govuk-table__caption govuk-table__caption--m">Cases by tier'
            "</caption>") in html
    assert '<th scope="col" class="govuk-table__header">Tier</th>' in html
    assert ('<th scope="col" class="govuk-table__header govuk-table__header--numeric">Cases'
            "</th>") in html
    assert '<th scope="row" class="govuk-table__header">High</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">12</td>' in html
    # Text is escaped; html not marked safe is escaped too (only the hub's own markup,
    # made with format_html, is drawn as markup).
    assert '<th scope="row" class="govuk-table__header">&lt;Low&gt;</th>' in html
    assert "&lt;b&gt;3&lt;/b&gt;</td>" in html
    safe = render('{% include "components/table.html" with rows=rows only %}',
                  {"rows": [[{"html": format_html("<b>{}</b>", 3)}]]})
    assert '<td class="govuk-table__cell"><b>3</b></td>' in safe
    assert "<thead" not in safe and "<caption" not in safe



def test_table_rows_with_ids_row_headers_anywhere_several_bodies_and_attributes() -> None:
    html = squash(render(
        '{% include "components/table.html" with bodies=bodies attributes=attributes only %}',
        {"bodies": [[{"cells": ["Total", {"text": "All", "header": True}], "id": "row-<1>"}],
                    [["Tier", {"text": "High", "header": True, "classes": "app-x"}]]],
         "attributes": {"aria-describedby": "results-heading"}},
    ))
    assert '<table class="govuk-table" aria-describedby="results-heading">' in html
    assert html.count('<tbody class="govuk-table__body">') == 2
    assert ('<tr class="govuk-table__row" id="row-&lt;1&gt;"> <td class="govuk-table__cell">'
            'Total</td> <th scope="row" class="govuk-table__header">All</th>') in html
    assert ('<tr class="govuk-table__row"> <td class="govuk-table__cell">Tier</td>'
            ' <th scope="row" class="govuk-table__header app-x">High</th>') in html
    # Without rows or bodies the table still has its (empty) tbody.
    empty = squash(render('{% include "components/table.html" with caption="None" only %}'))
    assert '<tbody class="govuk-table__body"> </tbody>' in empty


TABLE_WRITTEN_BY_THE_PAGE = """{% load govuk %}
{% table first_cell_is_header=True classes="app-wide" id="cases" aria-describedby="heading" %}
  {% table_caption caption_classes="govuk-table__caption--m" %}{{ n }} case{{ n|pluralize }}
  {% endtable_caption %}
  {% table_head %}
    {% table_cell %}Tier{% endtable_cell %}
    {% table_cell format="numeric" %}Cases{% endtable_cell %}
  {% endtable_head %}
  {% for tier, count in tiers %}
    {% table_row id="tier-"|add:tier %}
      {% table_cell %}<a class="govuk-link" href="/{{ tier }}/">{{ tier }}</a>{% endtable_cell %}
      {% table_cell format="numeric" classes="app-bold" %} {{ count }} {% endtable_cell %}
    {% endtable_row %}
  {% empty %}
    {% table_row %}{% table_cell colspan=2 %}No cases{% endtable_cell %}{% endtable_row %}
  {% endfor %}
{% endtable %}"""


def test_table_tags_draw_the_component_with_the_cells_the_page_writes() -> None:
    written = render(TABLE_WRITTEN_BY_THE_PAGE, {"n": 2, "tiers": [("High", 1), ("<Low>", 1)]})
    given = render(
        '{% include "components/table.html" with caption="2 cases" '
        'caption_classes="govuk-table__caption--m" head=head rows=rows '
        'first_cell_is_header=True classes="app-wide" id="cases" attributes=attributes only %}',
        {"head": ["Tier", {"text": "Cases", "format": "numeric"}],
         "attributes": {"aria-describedby": "heading"},
         "rows": [{"id": "tier-High", "cells": [
                     {"html": format_html('<a class="govuk-link" href="/{}/">{}</a>', "High",
                                          "High")},
                     {"text": 1, "format": "numeric", "classes": "app-bold"}]},
                  {"id": "tier-<Low>", "cells": [
                     {"html": format_html('<a class="govuk-link" href="/{}/">{}</a>', "<Low>",
                                          "<Low>")},
                     {"text": 1, "format": "numeric", "classes": "app-bold"}]}]},
    )
    assert squash(written).strip() == squash(given).strip()
    assert "&lt;Low&gt;</a>" in written and "<Low>" not in written
    empty = squash(render(TABLE_WRITTEN_BY_THE_PAGE, {"n": 0, "tiers": []}))
    assert ('<tr class="govuk-table__row"> <th scope="row" class="govuk-table__header" '
            'colspan="2">No cases</th>') in empty


def test_table_cells_carry_attributes_such_as_aria_sort() -> None:
    written = squash(render(
        "{% load govuk %}{% table %}{% table_head %}"
        "{% table_cell aria-sort=sort %}<a href=\"?sort=name\">Name</a>{% endtable_cell %}"
        "{% table_cell %}Age{% endtable_cell %}{% endtable_head %}"
        "{% table_row %}{% table_cell data-x=x %}Ann{% endtable_cell %}"
        "{% table_cell %}9{% endtable_cell %}{% endtable_row %}{% endtable %}",
        {"sort": "ascending", "x": "<1>"}))
    assert ('<th scope="col" class="govuk-table__header" aria-sort="ascending">'
            '<a href="?sort=name">Name</a></th>') in written
    assert '<th scope="col" class="govuk-table__header">Age</th>' in written
    assert '<td class="govuk-table__cell" data-x="&lt;1&gt;">Ann</td>' in written
    given = squash(render('{% include "components/table.html" with head=head rows=rows only %}',
                          {"head": [{"text": "Name", "attributes": {"aria-sort": "none"}}],
                           "rows": [["Ann"]]}))
    assert '<th scope="col" class="govuk-table__header" aria-sort="none">Name</th>' in given


def test_table_tags_group_rows_in_bodies() -> None:
    html = squash(render(
        "{% load govuk %}{% table caption=\"Families\" %}{% for family in families %}"
        "{% table_body %}{% for name in family %}{% table_row %}{% table_cell %}{{ name }}"
        "{% endtable_cell %}{% endtable_row %}{% endfor %}{% endtable_body %}{% endfor %}"
        "{% endtable %}", {"families": [["Asian", "Indian"], ["Black"]]}))
    assert "<thead" not in html
    assert html.count('<tbody class="govuk-table__body">') == 2
    assert ('<td class="govuk-table__cell">Indian</td> </tr> </tbody><tbody '
            'class="govuk-table__body"> <tr class="govuk-table__row"> '
            '<td class="govuk-table__cell">Black</td>') in html


@pytest.mark.parametrize(
    "source",
    [
        "{% table %}<tr><td>Hand-written</td></tr>{% endtable %}",
        "{% table %}{% table_row %}<td>Hand-written</td>{% endtable_row %}{% endtable %}",
        "{% table %}{% table_cell %}No row{% endtable_cell %}{% endtable %}",
        "{% table_row %}{% table_cell %}No table{% endtable_cell %}{% endtable_row %}",
    ],
)
def test_table_tags_refuse_markup_or_cells_out_of_place(source: str) -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        render("{% load govuk %}" + source)


# --- No template writes a component's markup by hand ---------------------------------
#
# Each component's markup lives once, in macehub/ui/templates/components/. A template
# anywhere else that writes out a component's distinctive markup fails here. Each pattern
# is checked against the component's own template, so a pattern that matches nothing
# cannot pass by accident.

PROJECT = Path(settings.BASE_DIR) / "macehub"
COMPONENTS = PROJECT / "ui" / "templates" / "components"


@dataclass(frozen=True)
class HandWritten:
    component: str
    pattern: re.Pattern[str]
    # Templates that still write this markup out, to be moved onto the component. The
    # list may only shrink: a template not in it fails, and so does one listed that no
    # longer writes the markup (take it off the list).
    not_yet_moved: frozenset[str] = frozenset()
    # Where the component's markup is written when its template does not hold it (the
    # table and the tag, drawn in Python).
    drawn_by: Callable[..., Any] | None = None

    def own_markup(self) -> str:
        if self.drawn_by is not None:
            return inspect.getsource(self.drawn_by)
        return (COMPONENTS / self.component).read_text()


HAND_WRITTEN = [
    # An <a> or <button> whose class list includes govuk-button (not govuk-button-group).
    HandWritten("link_button.html",
                re.compile(r'<a\b[^>]*\bclass="(?:[^"]*\s)?govuk-button(?![\w-])')),
    HandWritten("button.html",
                re.compile(r'<button\b[^>]*\bclass="(?:[^"]*\s)?govuk-button(?![\w-])')),
    HandWritten("warning_text.html", re.compile(r"\bgovuk-warning-text__icon\b")),
    HandWritten("tag.html", re.compile(r'class="(?:[^"]*\s)?govuk-tag(?![\w-])'),
                drawn_by=govuk.draw_tag),
    HandWritten("badge.html", re.compile(r'class="(?:[^"]*\s)?moj-badge(?![\w-])')),
    HandWritten("back_link.html", re.compile(r"\bgovuk-back-link\b")),
    HandWritten("pagination.html", re.compile(r"\bgovuk-pagination__list\b")),
    HandWritten("filter.html", re.compile(r"\bmoj-filter-layout\b")),
    HandWritten("sub_navigation.html", re.compile(r"\bmoj-sub-navigation__list\b")),
    HandWritten("timeline.html", re.compile(r"\bmoj-timeline__item\b")),
    HandWritten("notification_banner.html",
                re.compile(r"\bgovuk-notification-banner__header\b")),
    HandWritten("error_summary.html", re.compile(r"\bgovuk-error-summary__title\b")),
    HandWritten("table.html",
                re.compile(r'<table\b[^>]*\bclass="(?:[^"]*\s)?govuk-table(?![\w-])'),
                drawn_by=govuk.draw_table),
]


def hand_written_lines(text: str, pattern: re.Pattern[str]) -> list[int]:
    """The line numbers at which a template writes the pattern's markup out."""
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]


def project_templates() -> list[Path]:
    template_dirs = [Path(d) for d in engines["django"].template_dirs
                     if Path(d).resolve().is_relative_to(PROJECT.resolve())]
    return [path for directory in template_dirs for path in directory.rglob("*.html")]


def hand_written_in(templates: list[Path], check: HandWritten,
                    root: Path = PROJECT) -> dict[str, list[int]]:
    """Each template outside components/ that writes the markup out, by its path under
    ``root``, with the lines where it does."""
    found = {}
    for template in templates:
        if template.parent == COMPONENTS:
            continue
        lines = hand_written_lines(template.read_text(), check.pattern)
        if lines:
            found[str(template.relative_to(root))] = lines
    return found


@pytest.mark.parametrize("check", HAND_WRITTEN, ids=lambda check: check.component)
def test_no_template_writes_a_component_by_hand(check: HandWritten) -> None:
    templates = project_templates()
    component = COMPONENTS / check.component
    assert component in templates
    assert hand_written_lines(check.own_markup(), check.pattern), (
        "the pattern must find the component's own markup"
    )
    found = hand_written_in(templates, check)
    new = {name: lines for name, lines in found.items() if name not in check.not_yet_moved}
    assert new == {}, f'Use {{% include "components/{check.component}" %}} instead'
    moved = check.not_yet_moved - set(found)
    assert moved == set(), "These no longer write the markup: take them off not_yet_moved"


@pytest.mark.parametrize(
    ("check", "planted"),
    [
        (HAND_WRITTEN[0], '<a href="/x/" class="govuk-button govuk-button--secondary">X</a>'),
        (HAND_WRITTEN[1], '<button type="submit" class="govuk-button">Save</button>'),
        (HAND_WRITTEN[2], '<div class="govuk-warning-text">'
                          '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>'),
        (HAND_WRITTEN[3], '<strong class="govuk-tag govuk-tag--red">High</strong>'),
        (HAND_WRITTEN[7], '<div class="moj-filter-layout">'),
        (HAND_WRITTEN[-1], '<table class="govuk-table">'),
    ],
    ids=lambda value: value.component if isinstance(value, HandWritten) else "",
)
def test_the_check_finds_markup_planted_in_a_template(
    check: HandWritten, planted: str, tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_text("{% extends 'base.html' %}\n<p>Fine</p>\n" + planted)
    component_copy = COMPONENTS / check.component
    assert hand_written_in([page, component_copy], check, root=tmp_path) == {"page.html": [3]}
    # Not the look-alikes: a button group, a tag's modifier in a stylesheet class name.
    assert hand_written_lines('<div class="govuk-button-group"></div>'
                              '<strong class="app-govuk-tag-like">x</strong>', check.pattern) == []


def test_govuk_date_filters() -> None:
    moment = dt.datetime(2024, 7, 1, 13, 5, tzinfo=dt.UTC)  # 2:05pm in London (BST)
    html = render("{% load govuk %}{{ d|govuk_date }} / {{ m|govuk_datetime }} / "
                  "{{ noon|govuk_datetime }}",
                  {"d": dt.date(2024, 3, 4), "m": moment,
                   "noon": dt.datetime(2024, 1, 2, 12, 0, tzinfo=dt.UTC)})
    assert html == "4 March 2024 / 1 July 2024 at 2:05pm / 2 January 2024 at midday"


# --- The layout -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls(LAYOUT_URLS)
@override_settings(DEMO_MODE=True)
def test_layout_has_the_demo_banner_title_and_no_inline_styles(client: Any) -> None:
    response = client.get("/components/?invalid=1")
    html = response.content.decode()
    assert "<title>Error: Components – MACE Hub</title>" in html
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert "DEMO</strong>" in html and "Synthetic data only – this is a demonstration" in html
    assert 'href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert "style=" not in html and "<style" not in html
    nonce = response.wsgi_request.csp_nonce
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    # Django messages are shown in notification banners: success apart from the rest.
    assert "govuk-notification-banner--success" in html and "Draft kept" in html
    assert "Triage meets at 10am" in html


@pytest.mark.urls(LAYOUT_URLS)
def test_layout_without_demo_mode_has_no_demo_banner(client: Any, db: Any) -> None:
    with override_settings(DEMO_MODE=False):
        html = client.get("/layout/").content.decode()
    assert "Synthetic data only" not in html
    assert "<title>Layout check – MACE Hub</title>" in html


@pytest.mark.urls(LAYOUT_URLS)
def test_identity_bar_shows_the_user_and_a_sign_out_button(
    client: Any, hub_user_factory: Any
) -> None:
    from macehub.accounts.roles import Role
    from macehub.testing.factories import verified_login

    user = hub_user_factory("alex.analyst", Role.ANALYST, Role.INVESTIGATOR)
    verified_login(client, user)
    html = squash(client.get("/layout/").content.decode())
    assert '<span class="govuk-!-font-weight-bold">Alex Tester</span>' in html
    assert "– County Police</span>" in html
    assert "(Analyst, Investigator)" in html
    assert '<form method="post" action="/accounts/logout/" novalidate>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert ">Sign out</button>" in html


@pytest.mark.django_db
@pytest.mark.urls(LAYOUT_URLS)
@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (403, "You do not have permission to see this page"),
        (404, "Page not found"),
        (500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages(client: Any, status: int, heading: str) -> None:
    response = client.get(f"/errors/{status}/")
    html = response.content.decode()
    assert response.status_code == status
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert f"<title>{heading} – MACE Hub</title>" in html
