"""Browser tests: Debian's Chromium driven through Playwright against pytest-django's live server.

Fixtures for every test under tests/browser/ (each one is marked `browser` automatically):

- `browser` (package): the Chromium at /usr/bin/chromium, headless. It is missing only when
  `scripts/system-deps` has not run; that fails the test, because CI must run these, unless
  REDRESS_SKIP_BROWSER=1 says to skip.
- `page`: a fresh context + page (1280x900, en-GB, Europe/London, 10 s timeout) per test.
- `live_url`: the live server's root URL, e.g. "http://localhost:41234". The server answers in
  another thread, so the test runs on `transactional_db`: what the test creates is committed
  and visible to the server. The database is flushed afterwards and the migrations' data
  (role groups, code presets) restored by serialized rollback, so later tests still see it.
- `login(page, live_url, user)`: signs in through the real form at LOGIN_PATH.
- `axe(page) -> list[dict]`: axe-core's WCAG 2.2 AA violations for the page as it is now.
- `assert_no_serious_axe_violations(page, name)`: fails listing every serious/critical one.
- `screenshot(page, name)`: a full-page PNG at artifacts/<name>.png, for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.factories import PASSWORD

# Playwright's sync API keeps an asyncio event loop running in the main thread, so Django's
# async-safety check would refuse the ORM calls the tests and fixtures make (factories, flush).
# Nothing here runs in that loop concurrently with Django, so the check is only noise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "artifacts"
# The project's own sign-in page; staff land on their queue (/staff/queue/mine/) after it, and
# the admin accepts the same session.
LOGIN_PATH = "/accounts/login/"
TIMEOUT_MS = 10_000

# Headless, and nothing that reaches the network on its own (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Date and time pickers follow the browser's language, not the page's: British, like users.
    "--lang=en-GB",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = {"serious", "critical"}

_BROWSER_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, so mark only the ones that live here.
    for item in items:
        if _BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser(django_db_setup: None) -> Iterator[Browser]:
    # Package scope: Playwright's event loop stays "running" in this thread while it is started
    # (see _with_running_loop), so it is stopped once the last browser test is done.
    if not CHROMIUM.exists():
        if os.environ.get("REDRESS_SKIP_BROWSER") == "1":
            pytest.skip(f"{CHROMIUM} is missing and REDRESS_SKIP_BROWSER=1")
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/system-deps` (make test does) to install "
            "Debian's chromium, or set REDRESS_SKIP_BROWSER=1 to skip the browser tests.",
            pytrace=False,
        )
    with _with_running_loop() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def _with_running_loop() -> Iterator[Playwright]:
    """Start Playwright, keeping Django's test-database state visible while it runs.

    Playwright's sync API parks its event loop in another greenlet of this thread, so
    asyncio.get_running_loop() succeeds here until it stops. Django then keeps database
    connections per asyncio context instead of per thread: the tests get new connection objects
    that lack the serialized copy of the migrated data django_db_setup put on the old ones, and
    serialized rollback would silently restore nothing (the code presets would vanish after the
    first browser test). Hand the copy over, and close the extra connections before stopping so
    the test database can be dropped at the end.
    """
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    try:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield playwright
    finally:
        connections.close_all()
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(TIMEOUT_MS)
    if AXE_JS.exists():
        # Injected by the browser itself on every page: the site's Content-Security-Policy
        # (no inline script) rightly refuses a <script> tag added from outside.
        context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: csp_violations.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    try:
        yield page
    finally:
        context.close()
    assert csp_violations == [], f"the page broke its Content-Security-Policy: {csp_violations}"


@pytest.fixture
def live_url(live_server: Any, transactional_db: None, django_db_serialized_rollback: None) -> str:
    return live_server.url


def sign_in(page: Page, live_url: str, user: Any, password: str = PASSWORD) -> None:
    """Fill in and submit the sign-in form as `user`, and wait until it has let them in."""
    page.goto(f"{live_url}{LOGIN_PATH}")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    if page.url.split("?")[0].endswith(LOGIN_PATH):  # refused: the form comes back
        refused = page.locator(".error-summary")
        why = refused.first.inner_text() if refused.count() else page.title()
        pytest.fail(f"{user.get_username()} could not sign in: {why}", pytrace=False)


@pytest.fixture
def login() -> Callable[..., None]:
    """`login(page, live_url, user)` signs `user` in through the real form."""
    return sign_in


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: run `bash scripts/system-deps` (make test does).",
            pytrace=False,
        )
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations;
        }""",
        AXE_TAGS,
    )


def check_no_serious_axe_violations(page: Page, name: str) -> None:
    """Fail, listing each one, if axe finds a serious or critical violation on the page."""
    serious = [v for v in axe_violations(page) if v.get("impact") in SERIOUS]
    if not serious:
        return
    lines = [f"axe: {len(serious)} serious/critical violation(s) on {name} ({page.url}):"]
    for violation in serious:
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {node['target']}")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def axe() -> Callable[[Page], list[dict[str, Any]]]:
    """`axe(page)`: axe-core's WCAG 2.0/2.1 A+AA and 2.2 AA violations, as axe returns them."""
    return axe_violations


@pytest.fixture
def assert_no_serious_axe_violations() -> Callable[[Page, str], None]:
    return check_no_serious_axe_violations


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG to artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    return save_screenshot
