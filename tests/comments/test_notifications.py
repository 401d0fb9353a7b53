"""Moderators hear about held comments; commenters who ask hear about publication, and no more."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from comments import emails
from comments.models import Comment
from comments.permissions import MODERATORS_GROUP
from comments.tasks import (
    REPORT_LIMIT,
    moderator_reports,
    notify_moderators_of_held_comments,
)
from comments.tokens import read_review_token
from tests.support.comment_form import another_visitor, as_sent_by_a_person

VALID = {
    "author_name": "Grace Reader",
    "author_email": "grace@example.com",
    "body": "Does magnesium glycinate upset the stomach? I take 400 mg at night.",
}


@pytest.fixture
def moderators(db) -> list[User]:
    """Who gets moderation email, and who must not."""
    group = Group.objects.get(name=MODERATORS_GROUP)
    in_group = User.objects.create_user("mia", email="mia@example.com", is_staff=True)
    in_group.groups.add(group)
    direct = User.objects.create_user("dan", email="dan@example.com", is_staff=True)
    direct.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    User.objects.create_superuser("owner", email="owner@example.com", password="pw")
    # Never told: no address, inactive, not staff, staff without the permission.
    User.objects.create_user("noaddress", is_staff=True).groups.add(group)
    gone = User.objects.create_user("gone", email="gone@example.com", is_staff=True)
    gone.is_active = False
    gone.save()
    gone.groups.add(group)
    User.objects.create_user("reader", email="reader@example.com").groups.add(group)
    User.objects.create_user("clerk", email="clerk@example.com", is_staff=True)
    return [in_group, direct]


def post(client, article, data=None, **extra):
    return client.post(
        f"/blog/{article.slug}/comments/",
        as_sent_by_a_person(data or VALID),
        **(another_visitor() | extra),
    )


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def review_link(body: str) -> str:
    return re.search(r"http://testserver(/comments/review/\S+/)", body).group(1)


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.SITE_URL = "http://testserver"
    settings.SITE_NAME = "Health Journal"


def test_moderator_recipients_are_active_staff_with_the_permission_and_an_address(
    moderators, settings
):
    settings.MODERATION_NOTIFY_EMAILS = ["desk@example.com", "MIA@example.com"]
    assert emails.moderator_addresses() == [
        "dan@example.com",
        "desk@example.com",
        "mia@example.com",
        "owner@example.com",
    ]


def test_a_held_comment_emails_each_moderator_with_everything_needed_to_decide(
    client, article, moderators, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article)
    comment = Comment.objects.get()
    assert recipients(mailoutbox) == ["dan@example.com", "mia@example.com", "owner@example.com"]
    assert all(len(message.to) == 1 for message in mailoutbox), "moderators see no other address"
    message = mailoutbox[0]
    assert message.subject == (
        "[Health Journal] Comment to moderate on “Vitamin K and Your Arteries”"
    )
    body = message.body
    assert "Article:  Vitamin K and Your Arteries" in body
    assert f"http://testserver{article.get_absolute_url()}" in body
    assert "Author:   Grace Reader <grace@example.com>" in body
    assert VALID["body"] in body
    assert "Flagged:  nothing (every comment waits for a moderator)" in body
    assert "The link works for 7 days" in body
    assert "http://testserver/admin/comments/comment/?status=pending" in body
    assert read_review_token(review_link(body).split("/")[-2]) == comment.pk
    comment.refresh_from_db()
    assert comment.moderators_notified_at is not None


def test_the_email_lists_spam_signals_when_the_checks_leave_some(article, make_comment, moderators):
    comment = make_comment(article, body="Cheap pills " * 40)
    comment.spam_signals = ["contains 4 links", "posted within 2 seconds of loading the page"]
    context = emails.held_comment_context(comment)
    assert context["reasons"] == comment.spam_signals
    from django.template.loader import render_to_string

    body = render_to_string("comments/emails/held_comment.txt", context | {"site_name": "S"})
    assert "Flagged:  contains 4 links; posted within 2 seconds of loading the page" in body
    excerpt = context["excerpt"]
    assert excerpt in body
    assert excerpt.endswith("…"), "a long comment is cut to an excerpt"
    assert len(excerpt.replace("\n", " ")) <= emails.EXCERPT_LENGTH
    assert max(len(line) for line in excerpt.splitlines()) <= emails.LINE_WIDTH


def test_the_excerpt_keeps_the_commenters_line_breaks(article, make_comment):
    comment = make_comment(article, body="First line.\n\nSecond paragraph.")
    assert emails.excerpt(comment) == "First line.\n\nSecond paragraph."


def test_html_in_a_comment_reaches_the_moderator_as_plain_text(
    client, article, moderators, mailoutbox, django_capture_on_commit_callbacks
):
    hostile = VALID | {"author_name": "Bob & <b>Co</b>", "body": "<script>x()</script> & more"}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, hostile)
    body = mailoutbox[0].body
    assert "Bob & <b>Co</b>" in body
    assert "<script>x()</script> & more" in body
    assert "&amp;" not in body
    assert mailoutbox[0].content_subtype == "plain"


def test_no_email_is_sent_before_the_transaction_commits_nor_if_it_rolls_back(
    article, make_comment, moderators, mailoutbox, django_capture_on_commit_callbacks
):
    from comments.moderation import process_new_comment

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                comment = make_comment(article)
                process_new_comment(comment)
                assert mailoutbox == []
                raise RuntimeError("the request failed after saving")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []


def test_a_failing_mail_server_keeps_the_comment_and_leaves_it_for_the_digest(
    client, article, moderators, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.comments.failing_mailer.FailingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, article)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderators_notified_at is None
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    call_command("send_moderation_digest")
    assert len(mailoutbox) == 3
    assert "1 new comment to moderate" in mailoutbox[0].subject


def test_a_comment_decided_before_the_email_went_is_not_reported(
    article, make_comment, moderator, moderators, mailoutbox
):
    comment = make_comment(article)
    comment.moderate(Comment.Status.SPAM, by=moderator)
    notify_moderators_of_held_comments.enqueue()
    assert mailoutbox == []


def test_each_held_comment_is_reported_once(article, make_comment, moderators, mailoutbox):
    make_comment(article)
    notify_moderators_of_held_comments.enqueue()
    notify_moderators_of_held_comments.enqueue()
    call_command("send_moderation_digest")
    assert len(mailoutbox) == 3


# --- The interval between emails ------------------------------------------------------------------


def post_as(client, article, name: str, callbacks) -> None:
    data = VALID | {"author_name": name, "author_email": f"{name.lower()}@example.com"}
    with callbacks(execute=True):
        response = post(client, article, data | {"body": f"{name}'s question"})
    assert response.status_code == 302


def test_comments_held_within_the_interval_wait_and_then_go_together(
    client, article, moderators, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MODERATION_EMAIL_INTERVAL_SECONDS = 60
    post_as(client, article, "Ann", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3, "the first comment after a quiet spell is emailed at once"
    assert "Ann's question" in mailoutbox[0].body

    post_as(client, article, "Ben", django_capture_on_commit_callbacks)
    post_as(client, article, "Cy", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3, "held within the interval: they wait"
    assert moderator_reports.timed_for_later
    assert Comment.objects.filter(moderators_notified_at=None).count() == 2

    # The interval ends (the last report is 61 seconds old) and the timed report runs.
    Comment.objects.exclude(moderators_notified_at=None).update(
        moderators_notified_at=timezone.now() - timedelta(seconds=61)
    )
    notify_moderators_of_held_comments.enqueue()
    assert not moderator_reports.timed_for_later
    later = mailoutbox[3:]
    assert recipients(later) == ["dan@example.com", "mia@example.com", "owner@example.com"]
    assert {message.subject for message in later} == {"[Health Journal] 2 new comments to moderate"}
    assert "Ben's question" in later[0].body
    assert "Cy's question" in later[0].body
    assert not Comment.objects.filter(moderators_notified_at=None).exists()


def test_the_interval_counts_from_the_last_report_of_any_process(
    client, article, make_comment, moderators, settings, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.MODERATION_EMAIL_INTERVAL_SECONDS = 60
    # Another web process reported a comment ten seconds ago.
    make_comment(article, moderators_notified_at=timezone.now() - timedelta(seconds=10))
    post_as(client, article, "Ann", django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert moderator_reports.timed_for_later


def test_each_held_comment_is_emailed_at_once_with_no_interval(
    client, article, moderators, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MODERATION_EMAIL_INTERVAL_SECONDS = 0
    for name in ("Ann", "Ben"):
        post_as(client, article, name, django_capture_on_commit_callbacks)
    subjects = [message.subject for message in mailoutbox]
    assert len(subjects) == 6
    assert all("Comment to moderate on" in subject for subject in subjects)


def test_a_backlog_is_reported_oldest_first_up_to_the_limit_and_the_rest_counted(
    article, moderators, mailoutbox
):
    Comment.objects.bulk_create(
        Comment(article=article, author_name=f"Reader {n}", author_email=f"r{n}@example.com",
                body=f"Question number {n}", created_at=timezone.now() - timedelta(hours=60 - n))
        for n in range(REPORT_LIMIT + 2)
    )  # fmt: skip
    notify_moderators_of_held_comments.enqueue()
    digest = mailoutbox[0]
    assert digest.subject == f"[Health Journal] {REPORT_LIMIT + 2} new comments to moderate"
    assert f"The oldest {REPORT_LIMIT} are below; see the queue for the other 2." in digest.body
    assert (
        len(re.findall(r"Review: http://testserver/comments/review/", digest.body)) == REPORT_LIMIT
    )
    assert "Question number 0\n" in digest.body
    assert f"Question number {REPORT_LIMIT + 1}" not in digest.body
    unreported = Comment.objects.filter(moderators_notified_at=None)
    assert sorted(unreported.values_list("body", flat=True)) == [
        f"Question number {REPORT_LIMIT}",
        f"Question number {REPORT_LIMIT + 1}",
    ]


# --- Digest mode ----------------------------------------------------------------------------------


def test_digest_mode_sends_nothing_per_comment_then_one_digest(
    client, article, moderators, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MODERATION_DIGEST_MINUTES = 30
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article)
        post(
            client,
            article,
            VALID
            | {"author_name": "Hal", "author_email": "hal@example.com", "body": "Second question"},
        )
    assert mailoutbox == []
    call_command("send_moderation_digest")
    assert recipients(mailoutbox) == ["dan@example.com", "mia@example.com", "owner@example.com"]
    digest = mailoutbox[0]
    assert digest.subject == "[Health Journal] 2 new comments to moderate"
    assert "1. Grace Reader <grace@example.com> on “Vitamin K and Your Arteries”" in digest.body
    assert "2. Hal <hal@example.com>" in digest.body
    assert "Second question" in digest.body
    links = re.findall(r"Review: http://testserver/comments/review/(\S+)/", digest.body)
    assert [read_review_token(token) for token in links] == list(
        Comment.objects.order_by("created_at", "pk").values_list("pk", flat=True)
    )


def test_the_digest_waits_for_its_interval_unless_forced(
    article, make_comment, moderators, settings, mailoutbox, capsys
):
    settings.MODERATION_DIGEST_MINUTES = 30
    make_comment(article)
    call_command("send_moderation_digest")
    assert len(mailoutbox) == 3
    make_comment(article, body="Later one")
    call_command("send_moderation_digest")
    assert len(mailoutbox) == 3
    assert "the next is due at" in capsys.readouterr().out
    # Once the interval has passed, the next run sends it.
    Comment.objects.exclude(moderators_notified_at=None).update(
        moderators_notified_at=timezone.now() - timedelta(minutes=31)
    )
    call_command("send_moderation_digest")
    assert len(mailoutbox) == 6
    assert "Later one" in mailoutbox[-1].body
    make_comment(article, body="Urgent one")
    call_command("send_moderation_digest", force=True)
    assert "Urgent one" in mailoutbox[-1].body


def test_the_digest_skips_decided_comments_and_says_when_there_is_nothing(
    article, make_comment, moderator, moderators, mailoutbox, capsys
):
    make_comment(article).moderate(Comment.Status.APPROVED, by=moderator)
    call_command("send_moderation_digest")
    assert mailoutbox == []
    assert "nothing sent" in capsys.readouterr().out


def test_a_failed_digest_keeps_the_comments_queued(article, make_comment, moderators, settings):
    comment = make_comment(article)
    settings.MAILERS = {"default": {"BACKEND": "tests.comments.failing_mailer.FailingBackend"}}
    with pytest.raises(CommandError, match="stay queued"):
        call_command("send_moderation_digest")
    comment.refresh_from_db()
    assert comment.moderators_notified_at is None


# --- The commenter's publication notice ----------------------------------------------------------


def post_and_approve(client, article, moderator, data, callbacks, **decision):
    with callbacks(execute=True):
        post(client, article, data)
    comment = Comment.objects.get(author_email=data["author_email"])
    with callbacks(execute=True):
        comment.moderate(Comment.Status.APPROVED, by=moderator, **decision)
    return comment


def test_the_publication_notice_is_off_by_default(
    client, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    post_and_approve(client, article, moderator, VALID, django_capture_on_commit_callbacks)
    assert [m for m in mailoutbox if "grace@example.com" in m.to] == []
    assert Comment.objects.get().notify_on_publish is False


def test_an_opted_in_commenter_is_emailed_once_only_after_approval(
    client, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    data = VALID | {"notify_on_publish": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, data)
    comment = Comment.objects.get()
    assert comment.notify_on_publish is True
    assert [m for m in mailoutbox if "grace@example.com" in m.to] == [], "nothing before approval"
    for status in (Comment.Status.REJECTED, Comment.Status.SPAM, Comment.Status.PENDING):
        with django_capture_on_commit_callbacks(execute=True):
            comment.moderate(status, by=moderator)
    assert [m for m in mailoutbox if "grace@example.com" in m.to] == []

    with django_capture_on_commit_callbacks(execute=True):
        comment.moderate(Comment.Status.APPROVED, by=moderator)
    notices = [m for m in mailoutbox if "grace@example.com" in m.to]
    assert len(notices) == 1
    notice = notices[0]
    assert notice.subject == "Your comment on “Vitamin K and Your Arteries” is published"
    assert f"http://testserver{article.get_absolute_url()}#comment-{comment.pk}" in notice.body
    # Undone and approved again: still one email.
    with django_capture_on_commit_callbacks(execute=True):
        comment.moderate(Comment.Status.PENDING, by=moderator, reason="Approval undone")
        comment.moderate(Comment.Status.APPROVED, by=moderator)
    assert len([m for m in mailoutbox if "grace@example.com" in m.to]) == 1


def test_the_publication_notice_contains_nothing_the_commenter_wrote(
    client, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    data = VALID | {
        "author_name": "Visit cheap-pills.example now",
        "body": "Buy at cheap-pills.example, best prices",
        "notify_on_publish": "on",
    }
    post_and_approve(client, article, moderator, data, django_capture_on_commit_callbacks)
    notice = next(m for m in mailoutbox if "grace@example.com" in m.to)
    assert "cheap-pills" not in notice.subject + notice.body
    assert "Visit" not in notice.body


def test_the_notice_links_to_the_page_that_holds_the_comment(
    client, article, make_comment, moderator, settings, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.COMMENTS_PER_PAGE = 2
    for n in range(3):
        make_comment(article, body=f"earlier {n}", status=Comment.Status.APPROVED)
    comment = post_and_approve(
        client, article, moderator, VALID | {"notify_on_publish": "on"},
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    notice = next(m for m in mailoutbox if "grace@example.com" in m.to)
    assert f"{article.get_absolute_url()}?page=2#comment-{comment.pk}" in notice.body


def test_automatic_approval_sends_no_notice(
    client, article, make_comment, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_AUTO_APPROVE_RETURNING = True
    make_comment(article, status=Comment.Status.APPROVED, author_email="grace@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, VALID | {"notify_on_publish": "on"})
    assert mailoutbox == []


def test_without_any_moderator_address_comments_stay_queued_and_the_digest_says_why(
    client, article, moderator, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article)
    assert mailoutbox == []
    assert "No moderator has an email address" in caplog.text
    assert Comment.objects.get().moderators_notified_at is None
    with pytest.raises(CommandError, match="set MODERATION_NOTIFY_EMAILS"):
        call_command("send_moderation_digest")
    moderator.email = "mod@example.com"
    moderator.save()
    call_command("send_moderation_digest")
    assert [m.to for m in mailoutbox] == [["mod@example.com"]]
