from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from blog.models import Article, Reference
from comments.models import Comment
from comments.permissions import MODERATORS_GROUP
from comments.tasks import moderator_reports


@pytest.fixture(autouse=True, scope="session")
def _plain_static_storage(tmp_path_factory) -> None:
    """Serve static files from the source folders, as the live server's handler expects.

    The production storage (hashed, compressed names) is tested on its own in
    tests/config/test_static_files.py and under gunicorn.
    """
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@pytest.fixture(autouse=True, scope="session")
def _plain_http() -> None:
    """The test client and the live server speak plain HTTP, so no redirect to HTTPS here.

    Production redirects (DEBUG off); that, HSTS and secure cookies are tested against
    gunicorn in tests/deploy/.
    """
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test_thread(settings) -> Iterator[None]:
    """Run tasks where the test can see their effects; the background backend has its own test.

    Moderators are emailed about each held comment as it is held (no interval), so no report
    waits on a timer thread; tests/comments/test_notifications.py tests the interval itself.
    """
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MODERATION_EMAIL_INTERVAL_SECONDS = 0
    yield
    moderator_reports.cancel()


@pytest.fixture
def make_article(db) -> Callable[..., Article]:
    def make(**fields) -> Article:
        defaults = {
            "title": "Vitamin K and Your Arteries",
            "slug": f"article-{Article.objects.count() + 1}",
            "summary": "What vitamin K2 does for calcium.",
            "body_source": "Intro paragraph.\n\n## A heading\n\nA paragraph (Doe et al., 2020).",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(days=1),
        }
        return Article.objects.create(**(defaults | fields))

    return make


@pytest.fixture
def article(make_article) -> Article:
    article = make_article(slug="vitamin-k")
    Reference.objects.create(
        article=article,
        position=1,
        label="Doe et al., 2020",
        authors="Doe, J., & Roe, R.",
        year=2020,
        title="A study",
        journal="Journal of Tests",
        volume="1",
        issue="2",
        pages="3-4",
    )
    return article


@pytest.fixture
def make_comment(db) -> Callable[..., Comment]:
    def make(article: Article, **fields) -> Comment:
        defaults = {
            "author_name": "Ada Reader",
            "author_email": "ada@example.com",
            "body": "Thank you, this was useful.",
        }
        return Comment.objects.create(article=article, **(defaults | fields))

    return make


@pytest.fixture
def moderator(db) -> User:
    user = User.objects.create_user("mod", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def staff_without_permission(db) -> User:
    return User.objects.create_user("staff", password="pw-for-tests", is_staff=True)
