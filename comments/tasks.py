"""Email sending as tasks (django.tasks), enqueued once the comment's transaction has committed.

Moderators hear about held comments from `notify_moderators_of_held_comments`, which reports every
held comment not reported yet: the one-comment notice when there is one, a digest when several
arrived together. `moderator_reports` decides when it runs: at once when the site is quiet, and at
most once per MODERATION_EMAIL_INTERVAL_SECONDS when comments pour in, so a busy thread sends the
moderators a few emails rather than one per comment, and costs each post a flag check.

Reports claim their comments in the database before sending, so a comment is reported once even
when several processes run reports; if sending fails the claim is released and the failure
re-raised (the task backend logs it), and the next report or `send_moderation_digest` sends it.
"""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone

from comments import emails
from comments.models import Comment, CommentQuerySet

logger = logging.getLogger(__name__)
# A report details this many comments at most, oldest first, and counts the rest: a backlog of
# thousands (a spam run, a mail server down for a day) makes a readable email, not a huge one.
REPORT_LIMIT = 50
NO_MODERATOR_ADDRESS = (
    "No moderator has an email address: give the moderators one, or set "
    "MODERATION_NOTIFY_EMAILS. Held comments stay queued for send_moderation_digest."
)


def unreported_held_comments() -> CommentQuerySet:
    return Comment.objects.pending().filter(moderators_notified_at__isnull=True)


def claim_for_report(now: datetime, limit: int = REPORT_LIMIT) -> list[Comment]:
    """Mark the oldest `limit` held comments nobody has reported yet as reported now, and
    return them. The rows are locked while they are claimed, so two reports never both take one.
    """
    with transaction.atomic():
        comments = list(
            unreported_held_comments()
            .select_for_update(of=("self",))
            .select_related("article")
            .defer("article__body_source", "article__body_html")
            .order_by("created_at", "pk")[:limit]
        )
        Comment.objects.filter(
            pk__in=[comment.pk for comment in comments], moderators_notified_at__isnull=True
        ).update(moderators_notified_at=now)
    return comments


def release_claim(comments: list[Comment]) -> None:
    """Give claimed comments back to the next report, after sending them failed."""
    Comment.objects.filter(pk__in=[comment.pk for comment in comments]).update(
        moderators_notified_at=None
    )


def last_report_at() -> datetime | None:
    """When the moderators were last told about held comments, by any process or command."""
    return Comment.objects.aggregate(last=Max("moderators_notified_at"))["last"]


def seconds_until_next_report(now: datetime) -> float:
    """How long the moderators should be left in peace since the last report, by any process."""
    interval = settings.MODERATION_EMAIL_INTERVAL_SECONDS
    if interval <= 0:
        return 0.0
    last = last_report_at()
    if last is None:
        return 0.0
    return max(0.0, (last + timedelta(seconds=interval) - now).total_seconds())


@task
def notify_moderators_of_held_comments() -> int:
    """Email the moderators every held comment not reported yet; returns the emails sent.

    A run that comes before the interval since the last report is over hands over to a later
    run, timed for the end of the interval.
    """
    moderator_reports.run_started()
    now = timezone.now()
    wait = seconds_until_next_report(now)
    if wait > 0:
        moderator_reports.request(after=wait)
        return 0
    recipients = emails.moderator_addresses()
    if not recipients:
        logger.warning(NO_MODERATOR_ADDRESS)
        return 0
    comments = claim_for_report(now)
    if not comments:
        return 0
    try:
        return emails.send_held_comments(
            comments, recipients, more_waiting=unreported_held_comments().count()
        )
    except Exception:
        release_claim(comments)
        raise


class ReportSchedule:
    """This process's next report to the moderators: at most one is queued or timed at a time.

    `request()` is called as each held comment commits. When a report is already on its way it
    does nothing, because that report claims every comment committed before it runs.
    A timed report waits on a daemon timer; if the process stops first, the comments stay
    unreported and go in the next report of any process, or in `send_moderation_digest`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on_its_way = False
        self._timer: threading.Timer | None = None

    def request(self, after: float = 0.0) -> None:
        with self._lock:
            if self._on_its_way:
                return
            self._on_its_way = True
            if after > 0:
                self._timer = threading.Timer(after, self._enqueue)
                self._timer.daemon = True
                self._timer.start()
                return
        self._enqueue()

    def run_started(self) -> None:
        """From here on, a newly held comment may not be in this run's claim: let it ask."""
        self.cancel()

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._on_its_way = False
            self._timer = None

    @property
    def timed_for_later(self) -> bool:
        return self._timer is not None

    def _enqueue(self) -> None:
        try:
            notify_moderators_of_held_comments.enqueue()
        except Exception:
            # Not queued after all: the next held comment must be able to ask again.
            self.run_started()
            raise


moderator_reports = ReportSchedule()


def _send_once(claimable, comment_id: int, marker: str, send) -> int:
    """Claim the comment by setting `marker` where it is still empty, then `send` it.

    The conditional UPDATE makes the claim atomic, so two workers never both send; a failed
    send releases the claim so that a later run sends it after all.
    """
    claimed = claimable.filter(pk=comment_id, **{f"{marker}__isnull": True}).update(
        **{marker: timezone.now()}
    )
    if not claimed:
        return 0
    # The emails name the article and link to it; its text is not needed.
    comment = (
        Comment.objects.select_related("article")
        .defer("article__body_source", "article__body_html")
        .get(pk=comment_id)
    )
    try:
        return send(comment)
    except Exception:
        Comment.objects.filter(pk=comment_id).update(**{marker: None})
        raise


@task
def notify_author_of_publication(comment_id: int) -> int:
    """Email a commenter who asked, once, that their approved comment is published."""
    return _send_once(
        Comment.objects.approved().filter(notify_on_publish=True),
        comment_id,
        "author_notified_at",
        emails.send_published_notice,
    )
