"""`manage.py check` reports citations that name no reference and references never cited.

It reads the articles shipped in blog/content/ (so a fresh clone is checked too) and the
published or scheduled articles in the database, when there is one to read.
"""

import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core import checks
from django.db import DatabaseError, connection

from blog.markup import CitedBody, link_citations, render_article_body
from blog.models import Article
from blog.seed import seed_files

UNMATCHED_CITATION = "blog.W001"
UNCITED_REFERENCE = "blog.W002"


def check_citations(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if app_configs is not None and not any(config.name == "blog" for config in app_configs):
        return []
    return [*shipped_article_messages(), *stored_article_messages()]


def citation_messages(
    where: object, cited: CitedBody, references: Iterable[tuple[str, int]]
) -> Iterator[checks.CheckMessage]:
    for citation in cited.unmatched:
        yield checks.Warning(
            f"The text cites ({citation}), but no reference has the in-text label {citation!r}.",
            hint="Add the reference with that label, or correct the citation or the label.",
            obj=where,
            id=UNMATCHED_CITATION,
        )
    for label in cited.uncited(references):
        yield checks.Warning(
            f"The reference {label!r} is never cited in the text.",
            hint=f"Cite it as ({label}) where the text relies on it, or remove it.",
            obj=where,
            id=UNCITED_REFERENCE,
        )


def shipped_article_messages() -> Iterator[checks.CheckMessage]:
    for path in seed_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        references = tuple(
            (entry["label"], number)
            for number, entry in enumerate(data.get("references", []), start=1)
        )
        cited = link_citations(render_article_body(data["body"]), references)
        yield from citation_messages(Path("blog", "content", path.name), cited, references)


def stored_article_messages() -> Iterator[checks.CheckMessage]:
    if not database_exists():
        return
    try:
        articles = list(Article.objects.published_or_scheduled().prefetch_related("references"))
    except DatabaseError:
        return  # not migrated yet, or not reachable: there is nothing stored to check
    for article in articles:
        references = [(ref.label, ref.position) for ref in article.references.all()]
        yield from citation_messages(article, article.cited_body, references)


def database_exists() -> bool:
    """False for an SQLite file not created yet: reading it would create an empty one."""
    if connection.vendor != "sqlite":
        return True
    name = str(connection.settings_dict["NAME"])
    return name == ":memory:" or "mode=memory" in name or Path(name).exists()
