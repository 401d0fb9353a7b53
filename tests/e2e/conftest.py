"""Real Chromium against a live server.

Debian's Chromium is used as installed (`make test` installs it when missing); Playwright's own
browser download is never used. Without a browser these tests fail under CI=true and skip
elsewhere, saying how to install one.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page

from blog.models import Article
from comments.permissions import MODERATORS_GROUP, MODERATORS_GROUP_PERMISSIONS

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SEED_SLUG = "magnesium-bone-health"
# A common laptop and a common phone (CSS pixels).
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "mobile": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.fixture(scope="session", autouse=True)
def _browser_closes_before_the_live_server(live_server, browser) -> None:
    """Start the live server before the browser, so that at the end the browser closes first.

    The other way round, Chromium's last keep-alive connection can end after the server has
    stopped sharing its in-memory SQLite connection, and that request thread's clean-up raises
    in the teardown of whichever browser test ran last.
    """


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}. Install it with `apt-get install -y chromium` "
            "(as root; `make test` does this), or set CHROMIUM_PATH."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under var/screenshots/ (gitignored) to look at.

    `screenshot("step")` shoots the test's `page`; `screenshot("step", other_page)` another
    page, such as one opened by `open_page`.
    """

    def take(step: str, target: Page | None = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        (target or page).screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def seeded_article(transactional_db) -> Article:
    """The client's magnesium article, loaded as `make run` loads it."""
    call_command("load_seed_articles", verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def moderators_group(transactional_db) -> Group:
    """The Moderators group, as its data migration creates it.

    Browser tests commit for real (the live server must see their data) and are cleaned up by
    flushing every table, which also empties what data migrations wrote; so it is put back.
    """
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.set(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in MODERATORS_GROUP_PERMISSIONS
    )
    return group


@pytest.fixture
def moderator(moderators_group: Group, moderator: User) -> User:
    """tests/conftest.py's moderator, with the group restored first."""
    return moderator


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Open a path of the live server in a fresh browser context (its own cookies).

    `viewport` is "desktop" or "mobile"; `color_scheme` "light" or "dark"; `javascript=False`
    proves a page works without scripts. Contexts are closed after the test.
    """
    contexts: list[BrowserContext] = []

    def open_(
        path: str = "/",
        *,
        viewport: str = "desktop",
        color_scheme: str = "light",
        javascript: bool = True,
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            color_scheme=color_scheme,
            java_script_enabled=javascript,
            **VIEWPORTS[viewport],
        )
        contexts.append(context)
        new_page = context.new_page()
        new_page.goto(path)
        return new_page

    yield open_
    for context in contexts:
        context.close()
