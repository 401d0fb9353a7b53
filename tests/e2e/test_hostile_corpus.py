"""The hostile corpus in a real browser: nothing anyone typed runs.

Every string of tests/data/hostile_strings.txt is posted through the real comment form over
HTTP and is also part of an article body. The comments are approved through Comment.moderate,
then Chromium loads each page and the test asserts that no dialog opened, no element carries an
on* attribute, no link or source uses javascript:, data: or vbscript:, and the browser reported
no Content-Security-Policy violation (securitypolicyviolation events and console messages).

The strings are spread over articles of PER_PAGE strings each, so a few dozen page loads cover
the corpus. Flood control would otherwise refuse a second post within 15 seconds: each post
comes from its own email address, and from its own address in X-Forwarded-For, which the site
honours because TRUSTED_PROXY_COUNT is set to 1 for this test only (the `settings` fixture).
Strings the form refuses (NUL characters, nothing visible) are typed into the form in Chromium
instead, and the page that gives them back with the error is checked the same way. Article
bodies take every string but those with a NUL character, which the admin's form refuses.
"""

import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from blog.markup import ARTICLE_TAGS
from blog.models import Article
from comments.forms import has_visible_text
from comments.models import Comment
from tests.blog.test_markup_hostile_corpus import as_html_text
from tests.hostile import hostile_strings

pytestmark = pytest.mark.django_db(transaction=True)

PER_PAGE = 25

# Runs before any page script (Playwright's init scripts are not subject to the page's CSP).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
}, true);
"""

# Everything on the page that could run script or leave it: returns a list of problems.
SCAN_PAGE = """
async ({articleTags}) => {
  // Let anything queued by the page (toggle, focus or animation events) happen first.
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)));
  const problems = [];
  const urlAttributes = new Set([
    'href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'data', 'srcset',
    'background', 'cite', 'ping', 'lowsrc', 'dynsrc', 'codebase', 'manifest', 'icon',
  ]);
  const dangerous = /^(javascript|data|vbscript):/;
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) problems.push(`<${element.localName}> has ${name}`);
      if (!urlAttributes.has(name)) continue;
      const squeezed = attribute.value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '');
      let resolved = '';
      try { resolved = new URL(attribute.value, document.baseURI).protocol; } catch (e) {}
      if (dangerous.test(squeezed.toLowerCase()) || dangerous.test(resolved)) {
        problems.push(`<${element.localName}> ${name}=${attribute.value}`);
      }
    }
  }
  for (const element of document.querySelectorAll('.prose *')) {
    const tag = element.localName;
    if (!articleTags.includes(tag)) problems.push(`article has <${tag}>`);
  }
  for (const element of document.querySelectorAll('.comment-body *')) {
    const tag = element.localName;
    if (!['p', 'br', 'a'].includes(tag)) problems.push(`comment has <${tag}>`);
  }
  if (document.baseURI !== location.href) problems.push(`base URI changed to ${document.baseURI}`);
  if (document.forms.length !== 1) problems.push(`${document.forms.length} forms on the page`);
  return {
    problems,
    violations: window.__violations,
    comments: [...document.querySelectorAll('.comment-body')].map((body) => body.textContent),
  };
}
"""


class Watcher:
    """Collects what a page did while it was open: dialogs, CSP complaints, script errors."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def scan(self, page: Page) -> dict:
        result = page.evaluate(SCAN_PAGE, {"articleTags": sorted(ARTICLE_TAGS)})
        result["dialogs"] = list(self.dialogs)
        result["console"] = list(self.console)
        return result


def assert_inert(result: dict, where: str) -> None:
    assert result["dialogs"] == [], where
    assert result["problems"] == [], where
    assert result["violations"] == [], where
    assert result["console"] == [], where


def squeezed(text: str) -> str:
    return "".join(as_html_text(text).split())


def chunks(strings: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [strings[start : start + PER_PAGE] for start in range(0, len(strings), PER_PAGE)]


def make_article(number: int, strings: tuple[str, ...]) -> Article:
    # Staff write articles in the admin, whose form refuses NUL characters (PostgreSQL could
    # not store them): tests/config/test_admin_hardening.py. Every other string goes in.
    return Article.objects.create(
        title=f"Corpus page {number}",
        slug=f"corpus-{number}",
        summary="Hostile strings, to show they stay inert.",
        body_source="\n\n".join(text for text in strings if "\x00" not in text),
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=1),
    )


def post_comments(page: Page, live_url: str, article: Article, strings, first: int) -> list[str]:
    """Post each string as a comment over HTTP, with the form's hidden fields and the CSRF
    cookie Chromium was given; return the strings the form refused."""
    page.goto(live_url + article.get_absolute_url())
    form = page.locator("#comment-form")
    hidden = {
        name: form.locator(f"[name={name}]").get_attribute("value")
        for name in ("csrfmiddlewaretoken", "rendered_at")
    }
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    refused = []
    for offset, text in enumerate(strings):
        number = first + offset
        name = text if has_visible_text(text) and len(text) <= 100 and "\x00" not in text else ""
        fields = hidden | {
            "author_name": name or f"Reader {number}",
            "author_email": f"reader{number}@example.com",
            "body": text,
            "website": "",
        }
        status = post_form(
            f"{live_url}/blog/{article.slug}/comments/",
            fields,
            {"Cookie": cookies, "X-Forwarded-For": f"10.{number // 250}.{number % 250}.1"},
        )
        assert status in {302, 400}, (text, status)
        if status == 400:
            refused.append(text)
    return refused


def post_form(url: str, fields: dict[str, str], headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode(), headers)
    try:
        with NO_REDIRECTS.open(request) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects())


def test_every_hostile_string_stays_inert_in_chromium(live_server, page: Page, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    moderator = User.objects.create_superuser("moderator", password="pw")
    watcher = Watcher(page)
    corpus = hostile_strings()
    refused = []
    articles = []
    for number, strings in enumerate(chunks(corpus)):
        article = make_article(number, strings)
        articles.append(article)
        refused += post_comments(page, live_server.url, article, strings, number * PER_PAGE)

    # Only strings with nothing visible or with a NUL character may be refused.
    assert all(not has_visible_text(text) or "\x00" in text for text in refused), refused
    stored = Comment.objects.all()
    assert stored.count() + len(refused) == len(corpus)
    assert not stored.filter(status=Comment.Status.SPAM).exists()
    for comment in stored:
        comment.moderate(Comment.Status.APPROVED, by=moderator)

    for article in articles:
        page.goto(live_server.url + article.get_absolute_url())
        result = watcher.scan(page)
        where = article.get_absolute_url()
        assert_inert(result, where)
        bodies = Comment.objects.approved().filter(article=article).values_list("body", flat=True)
        assert [squeezed(text) for text in result["comments"]] == [squeezed(b) for b in bodies]

    # What the form refused comes back in the form: typed in Chromium, shown again, inert.
    for number, text in enumerate(refused):
        page.goto(live_server.url + articles[0].get_absolute_url())
        page.fill("#id_author_name", f"Refused {number}")
        page.fill("#id_author_email", f"refused{number}@example.com")
        page.fill("#id_body", text)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("#submit-id-post")
        assert answer.value.status == 400
        expect(page.locator(".error-summary")).to_be_visible()
        assert_inert(watcher.scan(page), f"refused string {text!r}")
    assert len(corpus) >= 300


def test_the_detector_sees_script_that_gets_into_a_page(live_server, page: Page, make_article):
    """The checks above can fail: markup slipped into a served page is caught by each of them,
    and with the CSP header removed the script really runs and opens a dialog."""
    article = make_article(slug="control")
    injected = (
        '<script>alert("inline")</script>'
        '<img src="/static/favicon.svg" onload="alert(\'handler\')">'
        "<a href=\"javascript:alert('link')\">x</a>"
    )

    def inject(route, keep_csp: bool) -> None:
        response = route.fetch()
        headers = dict(response.headers)
        if not keep_csp:
            headers.pop("content-security-policy")
        body = response.text().replace("</main>", f"{injected}</main>")
        route.fulfill(response=response, body=body, headers=headers)

    watcher = Watcher(page)
    url = live_server.url + article.get_absolute_url()
    page.route(url, lambda route: inject(route, keep_csp=True))
    page.goto(url)
    result = watcher.scan(page)
    assert result["dialogs"] == []
    assert any(v.startswith("script-src") for v in result["violations"]), result
    assert "<img> has onload" in result["problems"]
    assert "<a> href=javascript:alert('link')" in result["problems"]
    assert result["console"]

    page.unroute(url)
    page.route(url, lambda route: inject(route, keep_csp=False))
    page.goto(url)
    assert "alert: inline" in watcher.dialogs
