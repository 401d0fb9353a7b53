"""Fill the benchmark's database and hand bench/run.py what it needs, as one JSON line.

Run as `python -m bench.seed` with the server's environment (DATABASE_URL and the rest), after
`migrate`. Rows are written with bulk_create, which skips signals, so each article's
`comment_count` is set here the way comments/signals.py keeps it.
"""

import json
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from blog.models import Article, Tag  # noqa: E402
from blog.seed import load_seed_article, seed_files  # noqa: E402
from comments.models import Comment  # noqa: E402
from comments.permissions import MODERATORS_GROUP  # noqa: E402

INDEX_ARTICLES = 100
PENDING_COMMENTS = 100_000
BATCH = 5_000
THREAD_SIZES = (10, 1_000)
POSTING_SLUG = "bench-posting"


def comment(article: Article, number: int, status: str) -> Comment:
    # A held comment of the backlog was reported to the moderators when it came in, as on a live
    # site; left unreported, the posting run's first report would claim all 100,000 of them.
    reported = timezone.now() if status == Comment.Status.PENDING else None
    return Comment(
        moderators_notified_at=reported,
        article=article,
        author_name=f"Reader {number}",
        author_email=f"reader{number}@example.com",
        body=(
            f"Comment {number}: I take magnesium glycinate in the evening; my doctor agreed it "
            "was worth trying with vitamin D. How much comes from food alone?"
        ),
        status=status,
        ip_address=f"192.0.2.{number % 250 + 1}",
    )


def add_comments(article: Article, count: int, status: str, start: int = 0) -> None:
    for first in range(start, start + count, BATCH):
        last = min(first + BATCH, start + count)
        Comment.objects.bulk_create(comment(article, n, status) for n in range(first, last))


def seed_articles() -> dict[str, str]:
    for path in seed_files():
        load_seed_article(path)
    model = Article.objects.published().order_by("-word_count").first()
    tag, _ = Tag.objects.get_or_create(name="Benchmark", slug="benchmark")
    # Copies of the shipped article: its body is already rendered, so bulk_create can skip save().
    Article.objects.bulk_create(
        Article(
            title=f"{model.title} (copy {number})",
            slug=f"bench-{number}",
            summary=model.summary,
            body_source=model.body_source,
            body_html=model.body_html,
            word_count=model.word_count,
            status=Article.Status.PUBLISHED,
            published_at=model.published_at,
        )
        for number in range(INDEX_ARTICLES + len(THREAD_SIZES) + 1)
    )
    copies = list(Article.objects.filter(slug__startswith="bench-"))
    tag.articles.add(*copies)
    urls = {}
    for size, article in zip(THREAD_SIZES, copies, strict=False):
        add_comments(article, size, Comment.Status.APPROVED)
        Article.objects.filter(pk=article.pk).update(comment_count=size)
        urls[f"article_{size}"] = article.get_absolute_url()
    posting = copies[len(THREAD_SIZES)]
    Article.objects.filter(pk=posting.pk).update(slug=POSTING_SLUG)
    urls["posting"] = f"/blog/{POSTING_SLUG}/"
    urls["posting_action"] = f"/blog/{POSTING_SLUG}/comments/"
    urls["posting_floor"] = f"/bench/posting-floor/{POSTING_SLUG}/"
    return urls


def moderator_session() -> tuple[str, str]:
    user = User.objects.create_user("bench-moderator", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return name, client.cookies[name].value


def changelist_probe(client: Client, url: str) -> dict[str, float]:
    """Queries and in-process time (no network, no server) of one changelist view."""
    client.get(url)  # warm the caches a running server would have warm
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return {"queries": len(captured), "median_ms": round(sorted(timings)[2] * 1000, 1)}


def main() -> None:
    started = time.perf_counter()
    urls = seed_articles()
    queue = f"/{settings.ADMIN_URL}comments/comment/"
    cookie_name, session = moderator_session()
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[cookie_name] = session
    client.defaults["wsgi.url_scheme"] = "http"
    target = Article.objects.get(slug="bench-0")
    add_comments(target, 1, Comment.Status.PENDING, start=10_000_000)
    at_one = changelist_probe(client, queue)
    articles = list(Article.objects.filter(slug__startswith="bench-")[:INDEX_ARTICLES])
    per_article = PENDING_COMMENTS // len(articles)
    for number, article in enumerate(articles):
        add_comments(article, per_article, Comment.Status.PENDING, start=number * per_article)
    at_many = changelist_probe(client, queue)
    result = {
        "urls": urls | {"index": "/", "admin_queue": queue},
        "session_cookie": f"{cookie_name}={session}",
        "pending_comments": Comment.objects.pending().count(),
        "admin_queue_in_process": {"at_1_pending": at_one, "at_100k_pending": at_many},
        "seconds": round(time.perf_counter() - started, 1),
    }
    sys.stdout.write("BENCH_SEED " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
