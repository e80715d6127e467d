"""The problem profile's hotspots page in a real browser, as an analyst uses it on the
small demo: the first visit shows where children went missing from by ward, the Leaflet
map draws every ward's boundary coloured by its Gi* reading with the points clustered
(no tiles), and the table beside it holds the same wards; a distance that is too small is
refused and kept; the Knox reading names the near repeat. Without JavaScript the map
stays hidden and the tables say everything.

Every state is scanned with axe-core against WCAG 2.2 AA (``Scanner`` from
``test_browser_pages``; ``SCANNED_BY`` names the test here that scans each page).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from macehub.accounts.models import User
from macehub.testing.browser import browser_login
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

MAP = "test_the_hotspot_map_and_its_table_show_the_same_wards"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "profile:hotspots": (MAP,),
}
FIVE_YEARS = "?start_day=1&start_month=6&start_year=2021"


def test_the_hotspot_map_and_its_table_show_the_same_wards(
    page: Page, scanner: Scanner, live_server: Any, small_demo: None, browser: Browser,
) -> None:
    analyst = User.objects.get(username="analyst.police")
    browser_login(page, live_server, analyst)

    scanner.open(f"/profile/hotspots/{FIVE_YEARS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hotspots and near repeats")
    map_region = page.get_by_role("region", name="Map of where children went missing from")
    expect(map_region).to_be_visible()
    # Every ward drawn: one boundary path per row of the table.
    rows = page.locator("#hotspot-table tbody tr")
    expect(rows).to_have_count(24)
    expect(map_region.locator("path.hotspot-area")).to_have_count(24)
    assert map_region.locator(".marker-cluster, .leaflet-marker-icon").count() > 0
    assert map_region.locator("img.leaflet-tile").count() == 0, "no tile server by default"
    expect(page.locator("#knox-reading")).to_contain_text("Near repeats:")
    scanner.scan("the map and its table")

    # A distance too small for the Knox test: refused, with what was typed kept.
    page.get_by_label("Close in space: within (metres)").fill("5")
    click_and_wait(page, "button", "Show figures")
    assert_errors_shown(page, "Enter a distance of 50 metres or more")
    expect(page.get_by_label("Close in space: within (metres)")).to_have_value("5")
    scanner.scan("a distance too small")

    # Offences by district: the other choices reach the figures.
    page.get_by_label("Close in space: within (metres)").fill("")
    page.get_by_label("Where offences were committed").check()
    page.get_by_label("District (local authority)").check()
    click_and_wait(page, "button", "Show figures")
    expect(page.locator("#summary")).to_contain_text("Where offences were committed")
    scanner.scan("offences by district")

    # One district's wards.
    page.get_by_label("Ward", exact=True).check()
    page.get_by_label("Inside an area").select_option(
        label="Brackenford, district (local authority)")
    click_and_wait(page, "button", "Show figures")
    expect(page.locator("#summary")).to_contain_text("in Brackenford")
    expect(page.locator("#hotspot-table tbody tr")).to_have_count(4)
    expect(page.locator("#hotspot-map path.hotspot-area")).to_have_count(4)
    scanner.scan("one district's wards")

    # Without JavaScript: no map, the same table.
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.context.add_cookies(page.context.cookies())
        plain.goto(f"{live_server.url}/profile/hotspots/{FIVE_YEARS}")
        expect(plain.locator("#hotspot-map")).to_be_hidden()
        expect(plain.locator("#hotspot-table tbody tr")).to_have_count(24)
        expect(plain.locator("#knox-reading")).to_contain_text("Near repeats:")
    finally:
        context.close()
