"""`manage.py check` reports citations without a reference and references never cited."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from blog import checks
from blog.models import Article, Reference
from blog.seed import CONTENT_DIR

BROKEN_SEED = """
slug = "broken"
title = "Broken"
summary = "s"
published_at = 2026-01-01T00:00:00Z
body = "Cites (Ghost et al., 2001) and (Doe, 2020)."

[[references]]
label = "Doe, 2020"
authors = "Doe, J."
year = 2020
title = "T"
journal = "J"

[[references]]
label = "Unused, 1999"
authors = "Unused, U."
year = 1999
title = "T"
journal = "J"
"""


def add_reference(article: Article, position: int, label: str) -> Reference:
    return Reference.objects.create(
        article=article,
        position=position,
        label=label,
        authors="A, B.",
        year=2000,
        title="T",
        journal="J",
    )


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_shipped_seed_passes_the_check_in_files_and_in_the_database(db):
    assert list(checks.shipped_article_messages()) == []
    call_command("load_seed_articles", verbosity=0)
    assert Article.objects.get().references.count() == 6
    assert checks.check_citations() == []
    call_command("check", fail_level="WARNING", verbosity=0)


def test_a_citation_without_a_reference_is_reported(article):
    article.body_source += "\n\nAlso (Ghost et al., 2001)."
    article.save()
    messages = checks.check_citations()
    assert ids(messages) == [checks.UNMATCHED_CITATION]
    assert messages[0].obj == article
    assert "(Ghost et al., 2001)" in messages[0].msg
    assert "Add the reference" in messages[0].hint


def test_a_reference_never_cited_is_reported(article):
    add_reference(article, 2, "Uncited, 1999")
    messages = checks.check_citations()
    assert ids(messages) == [checks.UNCITED_REFERENCE]
    assert "'Uncited, 1999'" in messages[0].msg


def test_manage_py_check_fails_on_a_broken_published_article(article):
    add_reference(article, 2, "Uncited, 1999")
    with pytest.raises(SystemCheckError, match=r"blog\.W002"):
        call_command("check", fail_level="WARNING", verbosity=0)


def test_scheduled_articles_are_checked_and_drafts_are_not(make_article):
    body = "Cites (Ghost, 2001)."
    make_article(slug="draft", body_source=body, status=Article.Status.DRAFT, published_at=None)
    assert checks.check_citations() == []
    scheduled = make_article(
        slug="scheduled", body_source=body, published_at=timezone.now() + timedelta(days=3)
    )
    assert [message.obj for message in checks.check_citations()] == [scheduled]


def test_shipped_content_files_are_checked_without_a_database(tmp_path, monkeypatch):
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN_SEED, encoding="utf-8")
    monkeypatch.setattr(
        checks, "seed_files", lambda: [CONTENT_DIR / "magnesium-bone-health.toml", broken]
    )
    messages = list(checks.shipped_article_messages())
    assert ids(messages) == [checks.UNMATCHED_CITATION, checks.UNCITED_REFERENCE]
    assert {str(message.obj) for message in messages} == {"blog/content/broken.toml"}


def test_an_sqlite_file_not_created_yet_is_not_created_by_the_check(tmp_path, monkeypatch):
    missing = tmp_path / "not-yet.sqlite3"
    monkeypatch.setitem(checks.connection.settings_dict, "NAME", str(missing))
    monkeypatch.setattr(checks.connection, "vendor", "sqlite")
    assert checks.database_exists() is False
    assert list(checks.stored_article_messages()) == []
    assert not missing.exists()
