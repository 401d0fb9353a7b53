"""What the browser tests do and measure in a page: the comment form, axe results, target
sizes, focus, line length.

Each measuring function returns what it found (a list of problems, a number), so a failing test
prints the offending elements instead of a bare False.
"""

import re
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

POSTED_MESSAGE = "Your comment was posted successfully."


def comment_field(page: Page, label: str) -> Locator:
    """The comment form's field by its visible label ("Name", "Email", "Comment")."""
    return page.locator("#comment-form").get_by_role("textbox", name=re.compile(rf"^{label}\b"))


def post_comment(page: Page, *, name: str, email: str, body: str) -> None:
    """Fill the comment form as a visitor would and press its button."""
    comment_field(page, "Name").fill(name)
    comment_field(page, "Email").fill(email)
    comment_field(page, "Comment").fill(body)
    page.get_by_role("button", name="Post comment").click()


# WCAG 2.0-2.2, levels A and AA, plus axe's best practices (landmarks, one h1, skip link...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Rules the tests rely on: if one stopped running (a renamed rule, a new axe), a clean
# result would prove nothing, so their having run is asserted too.
AXE_RULES_THAT_MUST_RUN = {
    "color-contrast",
    "target-size",
    "html-has-lang",
    "landmark-one-main",
    "region",
    "link-name",
}
AXE_FORM_RULES_THAT_MUST_RUN = {"label", "aria-valid-attr-value"}
_axe = Axe()


@dataclass(frozen=True)
class AxeReport:
    violations: list[dict]
    rules_run: set[str]

    @property
    def summary(self) -> list[str]:
        """One line per violation: rule id, impact, and the first offending elements."""
        return [
            f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes'][:3]]}"
            for v in self.violations
        ]


def run_axe(page: Page) -> AxeReport:
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        # target-size (WCAG 2.2 2.5.8) is off by default in axe-core 4.x.
        "rules": {"target-size": {"enabled": True}},
        "resultTypes": ["violations"],
    }
    response = _axe.run(page, options=options).response
    rules_run = {
        rule["id"] for kind in ("violations", "passes", "incomplete") for rule in response[kind]
    }
    return AxeReport(violations=response["violations"], rules_run=rules_run)


# Links and controls outside running text: WCAG 2.5.8 exempts links inside a sentence (the
# article's citations and the references' DOIs), so those are left out.
TARGETS_OUTSIDE_TEXT = (
    ".site-header a, .site-nav a, .meta a, .back-link a, .pagination a, #comments a, "
    "#comments button, #comments input:not([type=hidden]), #comments textarea"
)
# Links inside sentences (comment text, the privacy notice) are exempt under WCAG 2.5.8.
_MEASURE_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => !el.closest('.comment-body, .privacy-notice'))
  // Not rendered at all (the honeypot field): nothing a person could aim at.
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => {
    const box = el.getBoundingClientRect();
    return {html: el.outerHTML.slice(0, 80), width: box.width, height: box.height};
  })"""


def undersized_targets(page: Page, minimum: float = 24) -> tuple[int, list[dict]]:
    """How many targets were measured, and those smaller than `minimum` CSS px either way."""
    targets = page.evaluate(_MEASURE_TARGETS, TARGETS_OUTSIDE_TEXT)
    small = [t for t in targets if t["width"] < minimum or t["height"] < minimum]
    return len(targets), small


_FOCUS_INDICATOR = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0;
  return {
    html: el.outerHTML.slice(0, 80),
    id: el.id,
    outline,
    visibleBox: el.getBoundingClientRect().height > 0,
  };
}"""


def focused_element(page: Page) -> dict:
    """The focused element: a snippet of it, its id and the width of its focus outline."""
    return page.evaluate(_FOCUS_INDICATOR)


_CHARACTERS_PER_LINE = """(selector) => {
  // Characters on every full line of the article's paragraphs (last lines are short by nature).
  // Characters come in reading order, so a new line starts where a character sits lower than
  // the current line's top by more than a few pixels (italics may shift a glyph slightly).
  const counts = [];
  const range = document.createRange();
  for (const paragraph of document.querySelectorAll(selector)) {
    const lines = [];
    let lineTop = -Infinity;
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (rect.top > lineTop + 8) {
          lines.push(0);
          lineTop = rect.top;
        }
        lines[lines.length - 1] += 1;
      }
    }
    counts.push(...lines.slice(0, -1));
  }
  return counts;
}"""


def characters_per_line(page: Page, selector: str = ".prose > p") -> list[int]:
    return page.evaluate(_CHARACTERS_PER_LINE, selector)
