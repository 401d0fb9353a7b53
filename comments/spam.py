"""Spam defence in layers, none of which an honest reader notices.

Each layer yields a `Signal` that is stored on the comment (`Comment.spam_signals`) and shown to
moderators as the reason it was held or marked as spam:

- a honeypot field that people never see (filled in: spam);
- a signed timestamp of when the form was shown (sent within seconds: held);
- more than one link (held);
- a blocklist of words, email addresses and IP ranges, edited in the admin (spam).

Two more rules refuse a post instead of flagging it, both answered from the comments table so
they hold across every web process and server: flood control (the same address or email again
within `FLOOD_INTERVAL`) and duplicates (the same text from the same email on the same article).
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, auto

from django.conf import settings
from django.core import signing
from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from blog.markup import comment_may_hold_a_link, render_comment_body
from blog.models import Article
from comments.models import BlocklistEntry, Comment

# A person needs longer than this to read a form and write even a short comment.
MIN_SECONDS_TO_WRITE = 3
# A form older than this is refused (and shown again with a fresh timestamp), so a timestamp
# harvested once cannot be replayed for ever.
FORM_LIFETIME = timedelta(hours=24)
FLOOD_INTERVAL = timedelta(seconds=15)
MAX_LINKS = 1

FORM_TIMESTAMP_SALT = "comments.form-rendered-at"
# Any constant works: it sets the posting locks (see lock_for_posting) apart from any other
# advisory lock PostgreSQL is asked for.
POSTING_LOCK_CLASS = 5_240_517


class SignalCode(models.TextChoices):
    """Why a comment was held or marked as spam; the label is what moderators read."""

    HONEYPOT = "honeypot", "Filled in the hidden field only bots see"
    TOO_FAST = "too_fast", "Sent too soon after the form was shown"
    NO_TIMESTAMP = "no_timestamp", "Sent without the form's signed timestamp (missing or forged)"
    LINKS = "links", "Contains several links"
    BLOCKED_WORD = "blocked_word", "Contains a blocklisted word"
    BLOCKED_EMAIL = "blocked_email", "Email address is on the blocklist"
    BLOCKED_IP = "blocked_ip", "IP address is in a blocklisted range"


# These mark a comment as spam outright; any other signal holds it for a closer look.
SPAM_SIGNALS = frozenset(
    {
        SignalCode.HONEYPOT,
        SignalCode.BLOCKED_WORD,
        SignalCode.BLOCKED_EMAIL,
        SignalCode.BLOCKED_IP,
    }
)


@dataclass(frozen=True)
class Signal:
    code: str
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}

    @property
    def label(self) -> str:
        return SignalCode(self.code).label if self.code in SignalCode.values else self.code

    @classmethod
    def from_json(cls, data: dict) -> "Signal":
        return cls(code=str(data.get("code", "")), detail=str(data.get("detail", "")))


@dataclass(frozen=True)
class Submission:
    """What the posting view knows about one comment before it is saved."""

    article: Article
    author_name: str
    author_email: str
    body: str
    ip_address: str | None
    honeypot: str
    form_age: timedelta | None


# An address written with a scheme or "www.", whatever its domain; see count_links().
_SPELLED_OUT_LINK = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)


# --- Who sent it ------------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's IP address, trusting X-Forwarded-For only as far as our own proxies.

    With TRUSTED_PROXY_COUNT = N > 0, each of our N proxies appended the address it received
    the request from, so the visitor is the Nth entry from the right. Entries further left were
    written by the client and are ignored. Anything unparseable gives None, never a guess.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        candidate = request.META.get("REMOTE_ADDR", "")
    else:
        forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) < proxies:
            return None
        candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


# --- The form timestamp -----------------------------------------------------------------------


def sign_form_timestamp(rendered_at: datetime | None = None) -> str:
    """A tamper-proof note of when the form was shown, for a hidden field."""
    moment = rendered_at or timezone.now()
    return signing.dumps(moment.timestamp(), salt=FORM_TIMESTAMP_SALT, compress=True)


def form_age(token: str, now: datetime | None = None) -> timedelta | None:
    """How long ago the form carrying `token` was shown; None if it is missing or forged."""
    if not token:
        return None
    try:
        rendered = signing.loads(token, salt=FORM_TIMESTAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(rendered, int | float):
        return None
    age = (now or timezone.now()).timestamp() - rendered
    # A clock a little ahead on another server must not make the age negative.
    return timedelta(seconds=max(age, 0))


# --- Signals ----------------------------------------------------------------------------------


def comparable_text(text: str) -> str:
    """Text as a blocklist sees it: compatibility forms folded (fullwidth, ligatures),
    invisible format characters removed (zero-width spaces), case folded."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return visible.casefold()


def count_links(text: str) -> int:
    """How many links the comment carries: every address with a scheme or "www.", however
    unusual its domain, plus the bare domains (example.com) the renderer would link."""
    spelled_out = _SPELLED_OUT_LINK.findall(text)
    remainder = _SPELLED_OUT_LINK.sub(" ", text)
    if not comment_may_hold_a_link(remainder):
        return len(spelled_out)
    return len(spelled_out) + render_comment_body(remainder).count("<a ")


def timing_signals(age: timedelta | None) -> list[Signal]:
    if age is None:
        return [Signal(SignalCode.NO_TIMESTAMP)]
    if age < timedelta(seconds=MIN_SECONDS_TO_WRITE):
        return [Signal(SignalCode.TOO_FAST, f"{age.total_seconds():.1f} s after the form")]
    return []


def blocklist_signals(submission: Submission) -> list[Signal]:
    signals = []
    text = comparable_text(f"{submission.author_name}\n{submission.body}")
    email = submission.author_email.casefold()
    address = _parse_ip(submission.ip_address)
    for kind, value in BlocklistEntry.objects.values_list("kind", "value"):
        if kind == BlocklistEntry.Kind.WORD and _contains_word(text, value):
            signals.append(Signal(SignalCode.BLOCKED_WORD, value))
        elif kind == BlocklistEntry.Kind.EMAIL and _email_matches(email, value):
            signals.append(Signal(SignalCode.BLOCKED_EMAIL, value))
        elif kind == BlocklistEntry.Kind.IP_RANGE and address and address in _network(value):
            signals.append(Signal(SignalCode.BLOCKED_IP, value))
    return signals


def evaluate(submission: Submission) -> list[Signal]:
    """Every signal this submission raises, in the order a moderator should read them."""
    signals = []
    if submission.honeypot.strip():
        signals.append(Signal(SignalCode.HONEYPOT))
    signals += timing_signals(submission.form_age)
    links = count_links(submission.body)
    if links > MAX_LINKS:
        signals.append(Signal(SignalCode.LINKS, f"{links} links"))
    signals += blocklist_signals(submission)
    return signals


def status_for(signals: list[Signal]) -> str:
    if any(signal.code in SPAM_SIGNALS for signal in signals):
        return Comment.Status.SPAM
    return Comment.Status.PENDING


# --- Refusals ---------------------------------------------------------------------------------


def lock_for_posting(ip_address: str | None, email: str) -> None:
    """Serialise the check-then-save of comments from one sender, so two simultaneous posts
    from the same email address or IP address cannot both pass the flood and duplicate checks.
    Call inside `transaction.atomic()`.

    SQLite needs nothing here: the settings open every transaction IMMEDIATE, which already
    takes the database's write lock. PostgreSQL gets transaction-scoped advisory locks, one for
    the email address and one for the IP address: a post waits only for posts that share one of
    them (exactly those that could make it a flood or a duplicate), never for other visitors,
    readers or moderators. The email is upper-cased by the database, as `iexact` compares it.
    """
    if connection.vendor != "postgresql":
        return
    senders = ["email:" + email] + ([f"ip:{ip_address}"] if ip_address else [])
    with connection.cursor() as cursor:
        # One statement takes both locks in key order (PostgreSQL evaluates a volatile output
        # column after the ORDER BY sort), so two posts that need the same two locks cannot
        # deadlock. A hash collision between senders only makes one post wait for the other.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, key) FROM ("
            "  SELECT DISTINCT hashtext(upper(sender)) AS key FROM unnest(%s::text[]) AS sender"
            ") AS keys ORDER BY key",
            [POSTING_LOCK_CLASS, senders],
        )


class Refusal(Enum):
    DUPLICATE = auto()
    FLOOD = auto()


def refusal(submission: Submission, now: datetime | None = None) -> Refusal | None:
    """Why this sender's earlier comments refuse the submission, if they do; one query.

    A duplicate: this email already sent this text (ignoring case and spacing) on this article.
    A flood: this address or email posted any comment within the last FLOOD_INTERVAL.
    """
    since = (now or timezone.now()) - FLOOD_INTERVAL
    wanted = _squeezed(submission.body)
    rows = _earlier_comments(submission, since)
    if any(in_thread and _squeezed(text) == wanted for in_thread, _, text in rows):
        return Refusal.DUPLICATE
    if any(recent for _, recent, _ in rows):
        return Refusal.FLOOD
    return None


def _earlier_comments(submission: Submission, since: datetime) -> list[tuple[bool, bool, str]]:
    """(in this thread from this email, posted after `since`, text) of each earlier comment
    from this email on this article, or from this email or address after `since`.

    In SQL, because through the ORM this one query cost 0.65 ms of CPU on every post, most of
    it building the query (docs/benchmarks.md). The email is compared upper-cased, as `iexact`
    does and the comment_email_date index is built. The address is prepared as the field
    stores it (an IPv4-mapped address in dotted form, no zone id); a post with no address
    matches no address (NULL).
    """
    meta = Comment._meta
    quote = connection.ops.quote_name
    email, article, ip_address, created_at, body = (
        quote(meta.get_field(name).column)
        for name in ("author_email", "article", "ip_address", "created_at", "body")
    )
    same_thread = f"(UPPER({email}) = UPPER(%s) AND {article} = %s)"
    recent = f"{created_at} > %s"
    sql = (
        f"SELECT {same_thread}, {recent}, {body} FROM {quote(meta.db_table)} "
        f"WHERE {same_thread} OR ((UPPER({email}) = UPPER(%s) OR {ip_address} = %s) AND {recent})"
    )
    thread = [submission.author_email, submission.article.pk]
    after = connection.ops.adapt_datetimefield_value(since)
    address = meta.get_field("ip_address").get_db_prep_value(submission.ip_address, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*thread, after, *thread, submission.author_email, address, after])
        # SQLite answers a comparison with 0 or 1.
        return [(bool(in_thread), bool(recent), text) for in_thread, recent, text in cursor]


# --- Helpers ----------------------------------------------------------------------------------


def _squeezed(text: str) -> str:
    return " ".join(comparable_text(text).split())


def _contains_word(text: str, word: str) -> bool:
    # Whole words only, so a blocked "cialis" does not hold a comment about "specialists".
    return re.search(rf"(?<!\w){re.escape(comparable_text(word))}(?!\w)", text) is not None


def _email_matches(email: str, entry: str) -> bool:
    entry = entry.casefold()
    return email.endswith(entry) if entry.startswith("@") else email == entry


def _parse_ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(value, strict=False)
