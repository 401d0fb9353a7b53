from django.conf import settings
from django.core.management.base import BaseCommand

from comments.privacy import apply_retention


class Command(BaseCommand):
    help = (
        "Apply the comment retention rules: after COMMENT_IP_RETENTION_DAYS shorten IP addresses "
        "to their network (/24, /48) and delete browser descriptions; delete spam and rejected "
        "comments COMMENT_SPAM_PURGE_DAYS after the decision. Run it daily from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change, change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        result = apply_retention(dry_run=dry_run)
        prefix = "Would have: " if dry_run else ""
        self.stdout.write(
            f"{prefix}shortened {result.ips_truncated} IP address(es) and cleared "
            f"{result.user_agents_cleared} browser description(s) older than "
            f"{settings.COMMENT_IP_RETENTION_DAYS} days; deleted {result.comments_purged} spam or "
            f"rejected comment(s) decided more than {settings.COMMENT_SPAM_PURGE_DAYS} days ago."
        )
