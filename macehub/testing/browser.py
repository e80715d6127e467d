"""Driving a real browser in tests: Chromium through Playwright, axe-core for WCAG checks.

Used through the pytest plugin in ``macehub.testing.pytest_browser`` (fixtures
``browser``, ``page``, ``page_monitor`` and ``browser_login``); the helpers here can also
be imported directly. Chromium is Debian's (``/usr/bin/chromium``) when there is one, so
the tests run on machines that cannot download Playwright's own browser build.

Pages are loaded under the real content security policy: axe-core is evaluated through
the DevTools protocol (``page.evaluate``), which the policy does not govern, so nothing
has to be relaxed for it.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, Response

    from macehub.accounts.models import User

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

# WCAG 2.2 AA, as the hub's pages must meet (axe's tags for each level and version).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

LOGIN_PATH = "/accounts/login/"
TWO_FACTOR_VERIFY_PATH = "/accounts/two-factor/verify/"


class LiveServer(Protocol):
    url: str


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium: Debian's if installed, otherwise Playwright's own download."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    return playwright.chromium.launch(
        executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
    )


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise FileNotFoundError(
            f"{AXE_PATH} is missing: run 'npm ci' to install axe-core for the browser tests"
        )
    return AXE_PATH.read_text(encoding="utf-8")


def run_axe(page: Page, *, tags: tuple[str, ...] = WCAG_TAGS,
            disable_rules: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options: dict[str, Any] = {"runOnly": {"type": "tag", "values": list(tags)}}
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    results = page.evaluate("async (options) => await window.axe.run(document, options)", options)
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def is_govuk_reveal_aria_expanded(violation: dict[str, Any], node: dict[str, Any]) -> bool:
    """GOV.UK Frontend marks a radio or checkbox that reveals questions (a conditional
    reveal) with ``aria-expanded``, which ARIA does not list for those roles. The Design
    System keeps it on purpose, as screen readers announce it (alphagov/govuk-frontend#979,
    a documented known issue). Only that attribute, on such an input, is let through."""
    if violation["id"] != "aria-allowed-attr":
        return False
    html = str(node.get("html", ""))
    revealing = (("class=\"govuk-radios__input\"" in html
                  or "class=\"govuk-checkboxes__input\"" in html)
                 and "aria-controls=\"conditional-" in html)
    refused = [line for line in str(node.get("failureSummary") or "").splitlines()
               if "not allowed:" in line]
    return revealing and bool(refused) and all(
        "not allowed: aria-expanded=" in line for line in refused)


def assert_accessible(page: Page, *, disable_rules: tuple[str, ...] = ()) -> None:
    """Fail, listing each violation with its rule, help text and elements, if axe-core
    finds anything against WCAG 2.2 AA on the page (but for the Design System's one known
    issue, ``is_govuk_reveal_aria_expanded``)."""
    violations = []
    for violation in run_axe(page, disable_rules=disable_rules):
        nodes = [node for node in violation["nodes"]
                 if not is_govuk_reveal_aria_expanded(violation, node)]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    if violations:
        raise AssertionError(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n"
            + describe_violations(violations)
        )


@dataclass
class PageMonitor:
    """What went wrong while a page loaded: failed /assets/ requests (CSS, fonts, images,
    scripts), console errors (content security policy violations among them) and
    uncaught JavaScript errors."""

    asset_prefix: str = "/assets/"
    asset_failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    assets_loaded: list[str] = field(default_factory=list)
    _page: Any = field(default=None, repr=False)

    def attach(self, page: Page) -> PageMonitor:
        self._page = page
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        return self

    def _is_asset(self, url: str) -> bool:
        return urlsplit(url).path.startswith(self.asset_prefix)

    def _on_response(self, response: Response) -> None:
        if not self._is_asset(response.url):
            return
        if response.status >= 400:
            self.asset_failures.append(f"{response.status} {response.url}")
        else:
            self.assets_loaded.append(urlsplit(response.url).path)

    def _on_request_failed(self, request: Request) -> None:
        # A navigation cancels the requests still in flight (ERR_ABORTED): the next page
        # loads its assets again, so only a real failure counts.
        if self._is_asset(request.url) and "ERR_ABORTED" not in (request.failure or ""):
            self.asset_failures.append(f"failed ({request.failure}) {request.url}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium logs an error page's own status (a 404 page, say) as a failed load;
        # that is the page under test, not a problem with it.
        if (message.text.startswith("Failed to load resource")
                and message.location.get("url") == self._page.url):
            return
        self.console_errors.append(message.text)

    def assert_clean(self) -> None:
        problems = (
            [f"asset: {item}" for item in self.asset_failures]
            + [f"console: {item}" for item in self.console_errors]
            + [f"script: {item}" for item in self.page_errors]
        )
        if problems:
            raise AssertionError("The page had problems:\n" + "\n".join(problems))


def _fresh_totp_token(device: Any) -> str:
    """A code the device will accept now. django-otp refuses a code from a time step it
    has already accepted, so a second sign-in within 30 seconds takes the next step's
    code (within the device's tolerance), or waits for the clock to move on."""
    from django_otp.oath import totp

    while True:
        now_step = int((time.time() - device.t0) // device.step) + device.drift
        ahead = max(0, device.last_t + 1 - now_step)
        if ahead <= device.tolerance:
            token = totp(device.bin_key, device.step, device.t0, device.digits,
                         device.drift + ahead)
            return f"{token:0{device.digits}d}"
        time.sleep(1)


def browser_login(
    page: Page, live_server: LiveServer, user: User, *, password: str | None = None
) -> None:
    """Sign ``user`` in through the real sign-in form and, when two-factor is required,
    the security-code form, with a code from a confirmed TOTP device made here.

    Without ``password`` the user is given a new random one first.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if password is None:
        password = secrets.token_urlsafe(16)
        user.set_password(password)
        user.save(update_fields=["password"])
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Browser test", confirmed=True)

    base = live_server.url.rstrip("/")
    page.goto(base + LOGIN_PATH)
    page.locator("input[name=username]").fill(user.get_username())
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    if urlsplit(page.url).path == TWO_FACTOR_VERIFY_PATH:
        device.refresh_from_db()
        page.locator("input[name=token]").fill(_fresh_totp_token(device))
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()

    path = urlsplit(page.url).path
    if path in (LOGIN_PATH, TWO_FACTOR_VERIFY_PATH):
        summary = page.locator(".govuk-error-summary")
        shown = summary.inner_text() if summary.count() else "(no error summary)"
        raise AssertionError(f"Signing in as {user.get_username()} failed at {path}: {shown}")


def sign_in_as(page: Page, live_server: LiveServer, user: User) -> None:
    """Sign out whoever is signed in on this page, then sign ``user`` in."""
    page.context.clear_cookies()
    browser_login(page, live_server, user)


def fresh_totp_token(device: Any) -> str:
    """A security code ``device`` (a TOTP device) accepts now and has not used before,
    for tests that walk the two-factor pages themselves rather than via
    ``browser_login``."""
    device.refresh_from_db()
    return _fresh_totp_token(device)


# What is cut off at the current viewport: the document scrolling sideways, a table wider
# than the box holding it (its container scrolls with no cue), or the content of any
# element that hides or scrolls its overflow being wider than the element. Visually
# hidden text (govuk-visually-hidden, a skip link until focused: a 1px box clipped on
# purpose) and elements not shown are not counted. A pixel of rounding is allowed.
_CLIPPED_JS = """
() => {
  const found = [];
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.classList.length) text += '.' + [...el.classList].join('.');
    const words = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return words ? `${text} ("${words}")` : text;
  };
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  // Text kept for screen readers only, or until focused (a skip link): a box of a pixel,
  // clipped on purpose.
  const hiddenOnPurpose = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (node.hidden || (style.clip !== 'auto' && style.clip !== '')
          || style.clipPath !== 'none' || (node.clientWidth <= 1 && node.clientHeight <= 1
          && style.overflow !== 'visible')) {
        return true;
      }
    }
    return false;
  };
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    found.push(`the page scrolls sideways: ${root.scrollWidth}px of content in ` +
               `${root.clientWidth}px`);
  }
  for (const table of document.querySelectorAll('table')) {
    if (!shown(table) || hiddenOnPurpose(table)) continue;
    const box = table.parentElement;
    if (box && box.clientWidth && table.offsetWidth > box.clientWidth + 1) {
      found.push(`${describe(table)} is ${table.offsetWidth}px wide in a ` +
                 `${box.clientWidth}px box`);
    }
    for (const cell of table.querySelectorAll('th, td')) {
      if (cell.scrollWidth > cell.clientWidth + 1 && !hiddenOnPurpose(cell)) {
        found.push(`${describe(cell)} is cut: ${cell.scrollWidth}px of content in ` +
                   `${cell.clientWidth}px`);
      }
    }
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || hiddenOnPurpose(el)) continue;
    const style = getComputedStyle(el);
    if (style.overflowX === 'visible' && style.overflow === 'visible') continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push(`${describe(el)} (overflow ${style.overflowX}) cuts its content: ` +
                 `${el.scrollWidth}px in ${el.clientWidth}px`);
    }
  }
  return found;
}
"""


def clipped_content(page: Page) -> list[str]:
    """What is cut off on the page as it is now, at its current viewport (see
    ``assert_nothing_clipped``); empty when everything fits."""
    found: list[str] = page.evaluate(_CLIPPED_JS)
    return found


def assert_nothing_clipped(page: Page) -> None:
    """Fail if, at the current viewport, the page scrolls sideways, a table is wider than
    its container, or any element that hides or scrolls its overflow (a table's
    container, a cell) has content wider than itself: content a user would not see, or
    would have to find by scrolling with no cue."""
    found = clipped_content(page)
    if found:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        raise AssertionError(
            f"Content is cut off at {width}px on {page.url}:\n"
            + "\n".join(f"- {item}" for item in found)
        )


def fill_govuk_date(page: Page, legend: str, day: dt.date) -> None:
    """Type a date into the GOV.UK date input whose fieldset's legend is ``legend``."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
