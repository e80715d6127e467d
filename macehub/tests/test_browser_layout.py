"""The shared layout and components in a real browser: GOV.UK Frontend's CSS, fonts and
JavaScript load under the content security policy, the pages pass axe-core's WCAG 2.2 AA
rules, and signing in (two-factor step included) works through the forms.

Set MACEHUB_SCREENSHOTS=<folder> to keep a screenshot of each page checked here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from macehub.accounts.roles import Role
from macehub.testing.browser import assert_accessible

pytestmark = pytest.mark.browser

LAYOUT_URLS = "macehub.tests.layout_urls"


def keep_screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("MACEHUB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.urls(LAYOUT_URLS)
def test_layout_loads_govuk_frontend_and_is_accessible(
    page: Any, page_monitor: Any, live_server: Any, settings: Any
) -> None:
    settings.DEMO_MODE = True
    page.goto(f"{live_server.url}/layout/")
    page.wait_for_load_state("networkidle")
    page.evaluate("async () => { await document.fonts.ready; }")

    page_monitor.assert_clean()
    loaded = set(page_monitor.assets_loaded)
    assert {"/assets/govuk/govuk-frontend.min.css", "/assets/moj/moj-frontend.min.css",
            "/assets/macehub/macehub.css", "/assets/macehub/init.js",
            "/assets/govuk/govuk-frontend.min.js", "/assets/moj/moj-frontend.min.js"} <= loaded
    assert any(path.startswith("/assets/fonts/") for path in loaded), loaded
    assert page.evaluate("() => document.fonts.check('19px \"GDS Transport\"')")
    font = page.evaluate("() => getComputedStyle(document.querySelector('.govuk-body')).fontFamily")
    assert font.startswith('"GDS Transport"')

    body_classes = page.evaluate("() => document.body.className").split()
    assert {"js-enabled", "govuk-frontend-supported"} <= set(body_classes)
    assert page.title() == "Layout check – MACE Hub"
    expect(page.get_by_text("Synthetic data only – this is a demonstration")).to_be_visible()
    assert_accessible(page)
    keep_screenshot(page, "layout")


@pytest.mark.urls(LAYOUT_URLS)
def test_components_with_errors_are_accessible_and_linked(
    page: Any, page_monitor: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/components/?invalid=1&q=Jordan")
    page.wait_for_load_state("networkidle")
    page_monitor.assert_clean()
    assert page.title() == "Error: Components – MACE Hub"
    # GOV.UK Frontend's JavaScript moves focus to the error summary, not to the success
    # banner also on the page.
    assert page.evaluate(
        "() => document.activeElement.classList.contains('govuk-error-summary')"
    )
    assert_accessible(page)
    keep_screenshot(page, "components-with-errors")

    page.get_by_role("link", name="Date of birth must include a month").click()
    expect(page.locator("#id_date_of_birth_month")).to_be_focused()

    # Pagination keeps the other query parameters.
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(f"{live_server.url}/components/?invalid=1&q=Jordan&page=6")


@pytest.mark.urls(LAYOUT_URLS)
def test_a_corrected_submission_shows_a_success_banner(
    page: Any, page_monitor: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/components/")
    page.get_by_label("Given name").fill("Jordan")
    page.get_by_label("Referring agency").select_option("police")
    page.get_by_label("Medium").check()
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2012")
    page.get_by_label("The referrer has told the family about this referral").check()
    page.get_by_role("button", name="Save referral").click()
    expect(page.get_by_role("alert").filter(has_text="Referral saved")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    # The success banner takes focus when there is no error summary to take it.
    expect(page.locator(".govuk-notification-banner--success")).to_be_focused()
    page_monitor.assert_clean()
    assert_accessible(page)


@pytest.mark.urls(LAYOUT_URLS)
@pytest.mark.parametrize("status", [403, 404, 500])
def test_error_pages_are_accessible(
    page: Any, page_monitor: Any, live_server: Any, status: int
) -> None:
    page.goto(f"{live_server.url}/errors/{status}/")
    page_monitor.assert_clean()
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.urls(LAYOUT_URLS)
def test_signed_in_layout_on_a_phone(
    page: Any, page_monitor: Any, live_server: Any, browser_login: Any, hub_user_factory: Any
) -> None:
    user = hub_user_factory("sam.supervisor", Role.SUPERVISOR, Role.ANALYST)
    browser_login(page, live_server, user)
    page.goto(f"{live_server.url}/layout/")
    keep_screenshot(page, "signed-in-desktop")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/layout/")
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("Sam Tester")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()  # shown by the service navigation's JavaScript
    expect(page.locator("#navigation")).to_be_hidden()
    menu.click()
    expect(page.locator("#navigation")).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page_monitor.assert_clean()
    assert_accessible(page)
    keep_screenshot(page, "signed-in-phone")


def test_sign_in_through_the_real_forms(
    page: Any, page_monitor: Any, live_server: Any, browser_login: Any, hub_user_factory: Any
) -> None:
    """The helper against the accounts app's own sign-in and security-code pages."""
    user = hub_user_factory("riley.triage", Role.TRIAGE)
    browser_login(page, live_server, user)
    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # A second sign-in inside the same 30 seconds needs a code the device has not used.
    page.context.clear_cookies()
    browser_login(page, live_server, user)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page_monitor.assert_clean()
    assert_accessible(page)
