"""The strict Content-Security-Policy and the other headers, as Chromium applies them: the site
and the Django admin work under them, and the browser complains about nothing."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.e2e.test_hostile_corpus import RECORD_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)


class Complaints:
    """Every CSP violation event, console error or warning, and page error, as they happen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed load is reported below with its address, which the console message lacks.
        if message.type in {"error", "warning"} and "Failed to load resource" not in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def _response(self, response) -> None:
        # The admin's pages link no icon, so Chromium asks for /favicon.ico, which is not ours.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.console.append(f"{response.status} for {response.url}")

    def assert_none(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations")
        assert violations == [], where
        assert self.console == [], where


def test_public_pages_raise_no_complaint(live_server, page: Page, article, make_comment):
    make_comment(article, status=Comment.Status.APPROVED, body="See https://example.org/x")
    complaints = Complaints(page)
    page.goto(live_server.url)
    complaints.assert_none("index")
    page.goto(live_server.url + article.get_absolute_url())
    complaints.assert_none("article")
    # The honeypot is in the page but nobody sees it or tabs into it.
    expect(page.locator("#id_website")).to_be_hidden()
    page.fill("#id_author_name", "Grace")
    page.fill("#id_author_email", "grace@example.com")
    page.fill("#id_body", "A question about magnesium.")
    page.click("#submit-id-post")
    expect(page.locator("#comments [role=status]")).to_contain_text("posted successfully")
    complaints.assert_none("after posting")
    assert Comment.objects.get(author_email="grace@example.com").status == Comment.Status.PENDING


def test_the_admin_works_under_the_policy(live_server, page: Page, article, make_comment):
    """Sign in through the form, then use the admin's scripts: the action bar, the slug that
    fills itself in, the inline 'Add another', the change-form buttons."""
    User.objects.create_superuser("root", password="a-long-password-for-tests")
    pending = make_comment(article, body="Waiting for a decision")
    complaints = Complaints(page)

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "a-long-password-for-tests")
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    complaints.assert_none("admin index")

    page.goto(f"{live_server.url}/admin/comments/comment/")
    page.check("#action-toggle")  # actions.js: ticks every row and shows the counter
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED
    complaints.assert_none("comment changelist")

    page.goto(f"{live_server.url}/admin/comments/comment/{pending.pk}/change/")
    # Approved just above, so "Undo approval" is offered with the three decisions.
    expect(page.locator(".moderation-actions button")).to_have_text(
        ["Approve", "Reject", "Mark as spam", "Undo approval (back to pending)"]
    )
    complaints.assert_none("comment change page")

    page.goto(f"{live_server.url}/admin/blog/article/add/")
    page.locator("#id_title").press_sequentially("Zinc and Immunity")
    expect(page.locator("#id_slug")).to_have_value("zinc-and-immunity")  # prepopulate.js
    rows = page.locator(".dynamic-references")
    before = rows.count()
    page.locator(".add-row a").first.click()  # inlines.js
    expect(rows).to_have_count(before + 1)
    complaints.assert_none("article add page")

    page.goto(f"{live_server.url}/admin/comments/blocklistentry/add/")
    page.select_option("#id_kind", "ip_range")
    page.fill("#id_value", "203.0.113.9/24")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text("203.0.113.0/24")
    complaints.assert_none("blocklist")


def test_the_site_cannot_be_framed(live_server, page: Page, article):
    """frame-ancestors 'none': another page that frames the site gets an empty frame."""
    framed = live_server.url + article.get_absolute_url()
    page.route(
        "http://attacker.test/",
        lambda route: route.fulfill(
            body=f'<iframe id="victim" src="{framed}"></iframe>', content_type="text/html"
        ),
    )
    page.goto("http://attacker.test/")
    frame = page.locator("#victim").element_handle().content_frame()
    frame.wait_for_load_state()
    # Chromium shows its own error page in place of the article.
    assert frame.url.startswith("chrome-error://")
    assert article.title not in frame.content()


def test_a_lockout_shows_the_friendly_page_in_the_browser(live_server, page: Page, settings):
    settings.AXES_FAILURE_LIMIT = 2
    User.objects.create_superuser("root", password="a-long-password-for-tests")
    complaints = Complaints(page)
    for _ in range(2):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
    # The second failure crosses the limit; the pause is shown at once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for a while")
    expect(page.locator("main")).to_contain_text(re.compile(r"refused for \d+ minutes"))
    complaints.console = [m for m in complaints.console if not m.startswith("429 for ")]
    complaints.assert_none("lockout page")
