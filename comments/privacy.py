"""What the site keeps about commenters, for how long, and how a commenter gets it or erases it.

Used by the management commands (scheduled retention, export and erasure on request) and by
the admin's privacy actions.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from comments.models import Comment

IPV4_KEPT_PREFIX = 24
IPV6_KEPT_PREFIX = 48
PURGED_STATUSES = [Comment.Status.SPAM, Comment.Status.REJECTED]


def truncate_ip(address: str) -> str:
    """The network an address belongs to, which is all that is kept after the retention period.

    203.0.113.77 -> 203.0.113.0 (/24); 2001:db8:1:2::5 -> 2001:db8:1:: (/48).
    """
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        return str(ipaddress.ip_network(f"{ip}/{IPV4_KEPT_PREFIX}", strict=False).network_address)
    if ip.ipv4_mapped:
        return truncate_ip(str(ip.ipv4_mapped))
    return str(ipaddress.ip_network(f"{ip}/{IPV6_KEPT_PREFIX}", strict=False).network_address)


@dataclass(frozen=True)
class RetentionResult:
    ips_truncated: int
    user_agents_cleared: int
    comments_purged: int


def retention_cutoffs(now: datetime) -> tuple[datetime, datetime]:
    return (
        now - timedelta(days=settings.COMMENT_IP_RETENTION_DAYS),
        now - timedelta(days=settings.COMMENT_SPAM_PURGE_DAYS),
    )


def comments_past_ip_retention(now: datetime) -> QuerySet[Comment]:
    ip_cutoff, _ = retention_cutoffs(now)
    return Comment.objects.filter(created_at__lt=ip_cutoff).filter(
        Q(ip_address__isnull=False) | ~Q(user_agent="")
    )


def comments_past_purge(now: datetime) -> QuerySet[Comment]:
    _, purge_cutoff = retention_cutoffs(now)
    decided_at = Coalesce("moderated_at", "created_at")
    return (
        Comment.objects.filter(status__in=PURGED_STATUSES)
        .alias(decided_at=decided_at)
        .filter(decided_at__lt=purge_cutoff)
    )


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> RetentionResult:
    """Shorten old IP addresses, clear old browser descriptions, delete old spam and rejects."""
    now = now or timezone.now()
    with transaction.atomic():
        truncated = cleared = 0
        changed: list[Comment] = []
        for comment in comments_past_ip_retention(now).only("pk", "ip_address", "user_agent"):
            if comment.ip_address:
                network = truncate_ip(comment.ip_address)
                if network != comment.ip_address:
                    comment.ip_address = network
                    truncated += 1
            if comment.user_agent:
                comment.user_agent = ""
                cleared += 1
            changed.append(comment)
        purge = comments_past_purge(now)
        purged = purge.count()
        if not dry_run:
            Comment.objects.bulk_update(changed, ["ip_address", "user_agent"], batch_size=500)
            delete_with_admin_log(purge)
    return RetentionResult(truncated, cleared, purged)


def comments_of(addresses: Iterable[str]) -> QuerySet[Comment]:
    """Every comment written with one of these addresses, whatever its case or status."""
    query = Q()
    for address in addresses:
        query |= Q(author_email__iexact=address.strip())
    if not query:
        return Comment.objects.none()
    return Comment.objects.filter(query).select_related("article").order_by("created_at", "pk")


def export_comments(addresses: Iterable[str]) -> dict:
    """Everything stored about the comments of these addresses, ready for json.dumps."""
    addresses = sorted({a.strip().lower() for a in addresses if a.strip()})
    return {
        "site": settings.SITE_NAME,
        "exported_at": timezone.now().isoformat(),
        "email_addresses": addresses,
        "comments": [comment_record(comment) for comment in comments_of(addresses)],
    }


def comment_record(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "article": comment.article.title,
        "article_url": f"{settings.SITE_URL}{comment.article.get_absolute_url()}",
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "comment": comment.body,
        "status": comment.status,
        "posted_at": comment.created_at.isoformat(),
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "email_me_when_published": comment.notify_on_publish,
        "moderated_at": comment.moderated_at.isoformat() if comment.moderated_at else None,
    }


def erase_comments(addresses: Iterable[str]) -> int:
    """Delete every comment of these addresses (their audit trail goes with them)."""
    with transaction.atomic():
        return delete_with_admin_log(comments_of(addresses))


def delete_with_admin_log(comments: QuerySet[Comment]) -> int:
    """Delete comments and the admin log lines naming them (the log repeats the author's name).

    QuerySet.delete() sends post_delete for each comment, so every article's count stays right.
    """
    ids = [str(pk) for pk in comments.values_list("pk", flat=True)]
    if not ids:
        return 0
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment), object_id__in=ids
    ).delete()
    deleted, per_model = Comment.objects.filter(pk__in=ids).delete()
    return per_model.get(Comment._meta.label, 0)
