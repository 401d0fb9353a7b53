"""Articles shipped with the site, kept as TOML files in blog/content/."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from blog.models import Article, Reference, Tag

CONTENT_DIR = Path(__file__).resolve().parent / "content"

REFERENCE_FIELDS = ("label", "authors", "year", "title", "journal", "volume", "issue", "pages")


@dataclass(frozen=True)
class SeedResult:
    slug: str
    created: bool
    updated: bool


def seed_files() -> list[Path]:
    return sorted(CONTENT_DIR.glob("*.toml"))


@transaction.atomic
def load_seed_article(path: Path, *, overwrite: bool = False) -> SeedResult:
    """Create the article in `path` if it is missing; replace it only when asked to.

    Edits made in the admin survive a redeploy: the loader runs on every start.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    article = Article.objects.filter(slug=data["slug"]).first()
    if article is not None and not overwrite:
        return SeedResult(slug=article.slug, created=False, updated=False)

    created = article is None
    article = article or Article(slug=data["slug"])
    article.title = data["title"]
    article.summary = data["summary"]
    article.author_name = data.get("author", "")
    article.body_source = data["body"].strip() + "\n"
    article.status = Article.Status.PUBLISHED
    article.published_at = data["published_at"]
    article.save()
    article.tags.set(
        Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in data.get("tags", [])
    )

    article.references.all().delete()
    Reference.objects.bulk_create(
        Reference(
            article=article,
            position=position,
            doi=entry.get("doi", ""),
            url=entry.get("url", ""),
            **{field: entry[field] for field in REFERENCE_FIELDS},
        )
        for position, entry in enumerate(data.get("references", []), start=1)
    )
    return SeedResult(slug=article.slug, created=created, updated=not created)
