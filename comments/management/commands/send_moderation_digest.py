from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments import emails
from comments.tasks import (
    NO_MODERATOR_ADDRESS,
    claim_for_report,
    last_report_at,
    release_claim,
    unreported_held_comments,
)


class Command(BaseCommand):
    help = (
        "Email the moderators one digest of the held comments they have not been told about. "
        "Run it from cron every minute: with MODERATION_DIGEST_MINUTES=N it sends at most one "
        "digest every N minutes; with 0 it sends whatever the web processes' reports missed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Send now, even if the last digest is recent."
        )

    def handle(self, *args, force: bool, **options) -> None:
        now = timezone.now()
        if not unreported_held_comments().exists():
            self.stdout.write("No new held comments: nothing sent.")
            return
        if not emails.moderator_addresses():
            raise CommandError(NO_MODERATOR_ADDRESS)
        minutes = settings.MODERATION_DIGEST_MINUTES
        last_sent = last_report_at()
        if minutes > 0 and last_sent and not force:
            due = last_sent + timedelta(minutes=minutes)
            if now < due:
                self.stdout.write(
                    f"Last digest went at {last_sent:%H:%M}; the next is due at {due:%H:%M}."
                )
                return
        comments = claim_for_report(now)
        try:
            sent = emails.send_moderation_digest(
                comments, more_waiting=unreported_held_comments().count()
            )
        except Exception as error:
            release_claim(comments)
            raise CommandError(
                f"Sending the digest failed ({error}); the comments stay queued for the next run."
            ) from error
        noun = "comment" if len(comments) == 1 else "comments"
        self.stdout.write(
            self.style.SUCCESS(f"Digest of {len(comments)} {noun} sent to {sent} moderator(s).")
        )
