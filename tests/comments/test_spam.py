"""The spam defence, layer by layer: what each signal does to a comment, and what the visitor
and the moderator see."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from blog.models import Article
from comments import spam
from comments.forms import FORM_EXPIRED_MESSAGE
from comments.models import BlocklistEntry, Comment
from comments.spam import SignalCode
from comments.views import DUPLICATE_MESSAGE, POSTED_MESSAGE

CHANGELIST = "/admin/comments/comment/"


def aged_token(seconds: float) -> str:
    """The hidden timestamp of a form shown `seconds` ago."""
    return spam.sign_form_timestamp(timezone.now() - timedelta(seconds=seconds))


def submission(**fields: str) -> dict[str, str]:
    """What a person sends after a minute with the form."""
    return {
        "author_name": "Grace Reader",
        "author_email": "grace@example.com",
        "body": "Does magnesium glycinate upset the stomach?",
        "website": "",
        "rendered_at": aged_token(60),
    } | fields


def post(client, article: Article, ip: str = "203.0.113.9", **fields: str):
    return client.post(
        f"/blog/{article.slug}/comments/", submission(**fields), REMOTE_ADDR=ip, follow=True
    )


def codes(comment: Comment) -> list[str]:
    return [signal["code"] for signal in comment.spam_signals]


def status_message(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return soup.select_one("#comments [role=status]").get_text(strip=True)


# --- An honest comment ------------------------------------------------------------------------


def test_an_honest_comment_raises_no_signal_and_waits_for_a_moderator(client, article):
    response = post(client, article)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_signals == []
    assert status_message(response) == POSTED_MESSAGE


# --- Honeypot ---------------------------------------------------------------------------------


def test_the_honeypot_is_in_the_form_but_hidden_from_people(client, article):
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    field = soup.select_one("#comment-form input[name=website]")
    assert field["tabindex"] == "-1"
    assert field["autocomplete"] == "off"
    assert field.find_parent(id="div_id_website") is not None
    stylesheet = (spam.settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert "#div_id_website { display: none; }" in stylesheet


def test_a_filled_honeypot_is_stored_as_spam_behind_the_normal_answer(article):
    honest_client, bot_client = Client(), Client()
    honest = honest_client.post(
        f"/blog/{article.slug}/comments/", submission(), REMOTE_ADDR="192.0.2.1"
    )
    bot = bot_client.post(
        f"/blog/{article.slug}/comments/",
        submission(author_email="bot@example.net", website="https://pills.example"),
        REMOTE_ADDR="192.0.2.2",
    )
    assert (bot.status_code, bot["Location"]) == (honest.status_code, honest["Location"])
    assert status_message(honest_client.get(honest["Location"])) == POSTED_MESSAGE
    assert status_message(bot_client.get(bot["Location"])) == POSTED_MESSAGE
    stored = Comment.objects.get(author_email="bot@example.net")
    assert stored.status == Comment.Status.SPAM
    assert codes(stored) == [SignalCode.HONEYPOT]


# --- Signed timestamp -------------------------------------------------------------------------


def test_a_post_within_seconds_of_the_form_is_held_and_flagged(client, article):
    post(client, article, rendered_at=aged_token(1))
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert codes(comment) == [SignalCode.TOO_FAST]


@pytest.mark.parametrize("token", ["", "not-a-signed-value", "MTc5NTQ4:1xVgLr:forged-signature"])
def test_a_missing_or_forged_timestamp_is_held_and_flagged(client, article, token):
    post(client, article, rendered_at=token)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert codes(comment) == [SignalCode.NO_TIMESTAMP]


def test_a_timestamp_signed_for_another_purpose_is_not_accepted(client, article):
    from django.core import signing

    other = signing.dumps(timezone.now().timestamp() - 60, salt="something-else")
    post(client, article, rendered_at=other)
    assert codes(Comment.objects.get()) == [SignalCode.NO_TIMESTAMP]


def test_a_form_older_than_a_day_comes_back_with_the_text_and_a_fresh_timestamp(client, article):
    old = aged_token(spam.FORM_LIFETIME.total_seconds() + 60)
    typed = submission(body="Written yesterday, sent today.", rendered_at=old)
    response = client.post(f"/blog/{article.slug}/comments/", typed)
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    soup = BeautifulSoup(response.content, "html.parser")
    assert FORM_EXPIRED_MESSAGE in soup.select_one(".error-summary").get_text()
    assert soup.select_one("#id_body").get_text().strip() == typed["body"]
    assert soup.select_one("#id_author_name")["value"] == typed["author_name"]
    fresh = soup.select_one("input[name=rendered_at]")["value"]
    assert fresh != old
    assert spam.form_age(fresh) < timedelta(minutes=1)

    # Sent again a little later from the page it was given back on, it is accepted.
    later = timezone.now() + timedelta(seconds=30)
    assert spam.form_age(fresh, now=later) >= timedelta(seconds=spam.MIN_SECONDS_TO_WRITE)
    resent = client.post(f"/blog/{article.slug}/comments/", typed | {"rendered_at": aged_token(30)})
    assert resent.status_code == 302
    assert Comment.objects.get().body == typed["body"]


def test_every_form_shown_again_carries_a_fresh_timestamp(client, article):
    old = aged_token(600)
    response = client.post(
        f"/blog/{article.slug}/comments/", submission(author_email="nope", rendered_at=old)
    )
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert spam.form_age(soup.select_one("input[name=rendered_at]")["value"]) < timedelta(
        seconds=60
    )


# --- Flood control ----------------------------------------------------------------------------


def test_the_same_address_posting_again_within_15_seconds_gets_429_with_its_text(client, article):
    assert post(client, article, ip="198.51.100.4").status_code == 200
    second = submission(author_email="other@example.com", body="And another thing.")
    response = client.post(f"/blog/{article.slug}/comments/", second, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    soup = BeautifulSoup(response.content, "html.parser")
    assert "Please wait 15 seconds" in soup.select_one(".error-summary").get_text()
    assert response.text.count("Please wait 15 seconds") == 1
    assert soup.select_one("#id_body").get_text().strip() == "And another thing."
    assert soup.select_one("#id_author_email")["value"] == "other@example.com"
    assert Comment.objects.count() == 1


def test_the_same_email_posting_again_from_elsewhere_within_15_seconds_gets_429(client, article):
    post(client, article, ip="198.51.100.4", author_email="Grace@Example.com")
    response = client.post(
        f"/blog/{article.slug}/comments/",
        submission(body="A second question."),
        REMOTE_ADDR="198.51.100.200",
    )
    assert response.status_code == 429
    assert Comment.objects.count() == 1


def test_posting_again_after_the_interval_is_accepted(client, article, make_comment):
    earlier = timezone.now() - spam.FLOOD_INTERVAL - timedelta(seconds=1)
    make_comment(
        article, author_email="grace@example.com", ip_address="198.51.100.4", created_at=earlier
    )
    response = post(client, article, ip="198.51.100.4", body="Back with a new question.")
    assert status_message(response) == POSTED_MESSAGE
    assert Comment.objects.count() == 2


def test_flood_control_reads_the_database_so_a_comment_saved_elsewhere_counts(
    client, article, make_comment
):
    """A comment written by another web process or server is only in the shared database; this
    one is created directly there, never through this process's view."""
    make_comment(article, author_email="grace@example.com", ip_address="192.0.2.77")
    response = client.post(
        f"/blog/{article.slug}/comments/", submission(), REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 429


# --- Links ------------------------------------------------------------------------------------


def test_one_link_is_fine(client, article):
    post(client, article, body="The study: https://example.org/study")
    assert Comment.objects.get().spam_signals == []


@pytest.mark.parametrize(
    "body",
    [
        "See https://a.example/x and http://b.example/y",
        "cheap-pills.com and www.pills.example",
        "<a href=http://one.example>1</a> <a href=http://two.example>2</a>",
    ],
)
def test_two_or_more_links_hold_the_comment_and_say_so(client, article, body):
    post(client, article, body=body)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_signals == [{"code": SignalCode.LINKS, "detail": "2 links"}]


# --- Blocklist --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Buy Casino chips now", "Grace"),
        ("buy CASINO chips", "Grace"),
        ("buy ｃａｓｉｎｏ chips", "Grace"),  # fullwidth letters
        ("buy ca\u200bsino chips", "Grace"),  # a zero-width space inside the word
        ("Nice article", "Casino Royale"),  # the name counts too
    ],
)
def test_a_blocklisted_word_marks_the_comment_as_spam(client, article, body, name):
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="casino")
    post(client, article, body=body, author_name=name)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.spam_signals == [{"code": SignalCode.BLOCKED_WORD, "detail": "casino"}]


def test_blocklisted_words_match_whole_words_only(client, article):
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="cialis")
    post(client, article, body="My specialist recommends magnesium citrate.")
    assert Comment.objects.get().status == Comment.Status.PENDING


@pytest.mark.parametrize(
    ("entry", "email", "blocked"),
    [
        ("spammer@example.net", "Spammer@Example.NET", True),
        ("spammer@example.net", "reader@example.net", False),
        ("@junk.example", "anyone@junk.example", True),
        ("@junk.example", "anyone@notjunk.example", False),
    ],
)
def test_a_blocklisted_email_or_domain_marks_the_comment_as_spam(
    client, article, entry, email, blocked
):
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.EMAIL, value=entry)
    post(client, article, author_email=email)
    comment = Comment.objects.get()
    assert (comment.status == Comment.Status.SPAM) is blocked
    assert (codes(comment) == [SignalCode.BLOCKED_EMAIL]) is blocked


@pytest.mark.parametrize(
    ("entry", "ip", "blocked"),
    [
        ("203.0.113.0/24", "203.0.113.200", True),
        ("203.0.113.0/24", "203.0.114.1", False),
        ("198.51.100.7", "198.51.100.7", True),
        ("2001:db8::/32", "2001:db8:1234::1", True),
        ("2001:db8::/32", "203.0.113.200", False),
    ],
)
def test_a_blocklisted_ip_range_marks_the_comment_as_spam(client, article, entry, ip, blocked):
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.IP_RANGE, value=entry)
    post(client, article, ip=ip)
    comment = Comment.objects.get()
    assert (comment.status == Comment.Status.SPAM) is blocked


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("word", "  Free   MONEY ", "free money"),
        ("email", "Spammer@Example.NET", "spammer@example.net"),
        ("email", "@Junk.Example", "@junk.example"),
        ("ip_range", "203.0.113.77/24", "203.0.113.0/24"),
        ("ip_range", "2001:DB8::1", "2001:db8::1/128"),
    ],
)
def test_blocklist_entries_are_stored_in_one_canonical_spelling(db, kind, typed, stored):
    entry = BlocklistEntry(kind=kind, value=typed)
    entry.full_clean()
    assert entry.value == stored


@pytest.mark.parametrize(
    ("kind", "typed", "hint"),
    [
        ("email", "not an address", "@example.com"),
        ("ip_range", "203.0.113.300", "203.0.113.0/24"),
        ("word", "   ", "Please enter a value."),
    ],
)
def test_a_malformed_blocklist_entry_is_refused_with_a_hint(db, kind, typed, hint):
    with pytest.raises(ValidationError) as error:
        BlocklistEntry(kind=kind, value=typed).full_clean()
    assert hint in str(error.value)


def test_a_superuser_adds_a_blocklist_entry_in_the_admin(client, article):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    response = client.post(
        "/admin/comments/blocklistentry/add/",
        {"kind": "ip_range", "value": "192.0.2.9/24", "note": "Botnet, May"},
        follow=True,
    )
    assert response.status_code == 200
    entry = BlocklistEntry.objects.get()
    assert (entry.value, entry.note) == ("192.0.2.0/24", "Botnet, May")
    duplicate = client.post(
        "/admin/comments/blocklistentry/add/", {"kind": "ip_range", "value": "192.0.2.0/24"}
    )
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.text
    assert BlocklistEntry.objects.count() == 1
    post(client, article, ip="192.0.2.50")
    assert Comment.objects.get().status == Comment.Status.SPAM


# --- Duplicates -------------------------------------------------------------------------------


def test_the_same_text_from_the_same_email_on_the_same_article_is_stored_once(
    client, article, make_comment
):
    earlier = timezone.now() - timedelta(hours=1)
    make_comment(
        article,
        author_email="grace@example.com",
        body="Does magnesium glycinate upset the stomach?",
        created_at=earlier,
    )
    response = post(
        client,
        article,
        author_email="GRACE@example.com",
        body="does magnesium  glycinate\nupset the stomach?",
    )
    assert response.status_code == 200
    assert status_message(response) == DUPLICATE_MESSAGE
    assert Comment.objects.count() == 1


def test_a_double_click_is_told_the_comment_arrived_not_to_wait(client, article):
    first = client.post(f"/blog/{article.slug}/comments/", submission())
    second = client.post(f"/blog/{article.slug}/comments/", submission(), follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert DUPLICATE_MESSAGE in second.text
    assert Comment.objects.count() == 1


def test_the_same_text_on_another_article_or_from_another_email_is_a_new_comment(
    client, article, make_article, make_comment
):
    earlier = timezone.now() - timedelta(hours=1)
    text = "Does magnesium glycinate upset the stomach?"
    make_comment(article, author_email="grace@example.com", body=text, created_at=earlier)
    other_article = make_article(slug="calcium")
    post(client, other_article, author_email="grace@example.com", body=text)
    post(client, article, ip="198.51.100.1", author_email="ada@example.com", body=text)
    assert Comment.objects.filter(body=text).count() == 3


TEXT = "Does magnesium glycinate upset the stomach?"
AN_HOUR_AGO = timedelta(hours=1)
A_MOMENT_AGO = timedelta(seconds=2)


@pytest.mark.parametrize(
    ("earlier", "sent", "expected"),
    [
        # The same email on the same article, in any case and spacing, any time before.
        ({"author_email": "GRACE@example.com", "age": AN_HOUR_AGO}, {}, spam.Refusal.DUPLICATE),
        (
            {"age": AN_HOUR_AGO, "body": "does  magnesium GLYCINATE upset the stomach?"},
            {},
            spam.Refusal.DUPLICATE,
        ),
        ({"age": A_MOMENT_AGO}, {}, spam.Refusal.DUPLICATE),  # a double click: not a flood
        ({"age": AN_HOUR_AGO, "body": "Another question."}, {}, None),
        # Anything from the same email or address within the interval, on any article.
        ({"age": A_MOMENT_AGO, "on_another_article": True}, {}, spam.Refusal.FLOOD),
        ({"age": A_MOMENT_AGO, "author_email": "ada@example.com"}, {}, spam.Refusal.FLOOD),
        (
            {"age": A_MOMENT_AGO, "author_email": "ada@example.com", "ip_address": "2001:db8::7"},
            {"ip_address": "2001:db8::7"},
            spam.Refusal.FLOOD,
        ),
        ({"age": AN_HOUR_AGO, "author_email": "ada@example.com"}, {}, None),
        ({"age": AN_HOUR_AGO, "on_another_article": True}, {}, None),
        # An address is matched in the form the comment stores it: IPv4-mapped IPv6 addresses
        # in dotted form, link-local ones without their zone.
        (
            {
                "age": A_MOMENT_AGO,
                "author_email": "ada@example.com",
                "ip_address": "::ffff:192.0.2.8",
            },
            {"ip_address": "::ffff:c000:208"},
            spam.Refusal.FLOOD,
        ),
        (
            {"age": A_MOMENT_AGO, "author_email": "ada@example.com", "ip_address": "fe80::1"},
            {"ip_address": "fe80::1%eth0"},
            spam.Refusal.FLOOD,
        ),
        # A post with no address is never matched by another one with none.
        (
            {"age": A_MOMENT_AGO, "author_email": "ada@example.com", "ip_address": None},
            {"ip_address": None},
            None,
        ),
        (
            {"age": A_MOMENT_AGO, "author_email": "ada@example.com", "ip_address": "192.0.2.8"},
            {},
            None,
        ),
    ],
)
def test_refusal_tells_duplicates_and_floods_from_new_comments(
    article, make_article, make_comment, earlier, sent, expected
):
    earlier = {
        "author_email": "grace@example.com",
        "body": TEXT,
        "ip_address": "203.0.113.9",
    } | earlier
    on = make_article(slug="calcium") if earlier.pop("on_another_article", False) else article
    make_comment(on, created_at=timezone.now() - earlier.pop("age"), **earlier)
    fields = {
        "author_name": "Grace",
        "author_email": "grace@example.com",
        "body": TEXT,
        "ip_address": "203.0.113.9",
    }
    sent = spam.Submission(article=article, honeypot="", form_age=None, **(fields | sent))

    assert spam.refusal(sent) is expected


# --- Client IP --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "", "203.0.113.5"),
        # Without trusted proxies, X-Forwarded-For is whatever the client wrote: ignored.
        (0, "203.0.113.5", "10.9.9.9", "203.0.113.5"),
        (1, "10.0.0.2", "198.51.100.23", "198.51.100.23"),
        # A client-written entry on the left is skipped: the proxy appended the real address.
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.23", "198.51.100.23"),
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.23, 10.0.0.2", "198.51.100.23"),
        (1, "10.0.0.2", "2001:db8::7", "2001:db8::7"),
        # Too few entries for the proxies configured, or garbage: no address rather than a guess.
        (2, "10.0.0.3", "198.51.100.23", None),
        (1, "10.0.0.2", "", None),
        (1, "10.0.0.2", "not-an-ip", None),
        (0, "", "", None),
    ],
)
def test_the_client_ip_trusts_only_the_configured_proxies(
    settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().post("/", **headers)
    assert spam.client_ip(request) == expected


def test_behind_one_proxy_the_stored_ip_is_the_visitors(client, article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        f"/blog/{article.slug}/comments/",
        submission(),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23",
    )
    assert Comment.objects.get().ip_address == "198.51.100.23"


def test_a_spoofed_forwarded_header_does_not_escape_flood_control(client, article):
    """With no trusted proxy, a bot cannot change its address by sending X-Forwarded-For."""
    post(client, article, ip="203.0.113.5")
    response = client.post(
        f"/blog/{article.slug}/comments/",
        submission(author_email="other@example.com", body="Another."),
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


# --- What moderators see ----------------------------------------------------------------------


@pytest.fixture
def flagged(article) -> Comment:
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.WORD, value="casino")
    visitor = Client()
    post(
        visitor,
        article,
        body="casino https://a.example https://b.example",
        rendered_at=aged_token(1),
    )
    return Comment.objects.get()


def test_every_signal_is_recorded_on_the_comment(flagged):
    assert flagged.status == Comment.Status.SPAM
    assert codes(flagged) == [SignalCode.TOO_FAST, SignalCode.LINKS, SignalCode.BLOCKED_WORD]


def test_moderators_see_the_reasons_in_the_queue_and_on_the_comment(moderator_client, flagged):
    changelist = moderator_client.get(CHANGELIST, {"status": "spam"})
    soup = BeautifulSoup(changelist.content, "html.parser")
    reasons = [li.get_text() for li in soup.select("#result_list .field-held_because li")]
    assert reasons == [
        "Sent too soon after the form was shown (" + codes_detail(flagged, SignalCode.TOO_FAST),
        "Contains several links (2 links)",
        "Contains a blocklisted word (casino)",
    ]
    page = moderator_client.get(f"{CHANGELIST}{flagged.pk}/change/")
    soup = BeautifulSoup(page.content, "html.parser")
    on_page = [li.get_text() for li in soup.select(".field-held_because li")]
    assert on_page == reasons


def codes_detail(comment: Comment, code: str) -> str:
    detail = next(s["detail"] for s in comment.spam_signals if s["code"] == code)
    return f"{detail})"


def test_the_queue_filters_flagged_comments(moderator_client, flagged, make_comment):
    make_comment(flagged.article, body="Plain and honest")
    flagged_only = moderator_client.get(CHANGELIST, {"status": "all", "flagged": "yes"})
    clean_only = moderator_client.get(CHANGELIST, {"status": "all", "flagged": "no"})

    def excerpts(response) -> list[str]:
        soup = BeautifulSoup(response.content, "html.parser")
        return [a.get_text() for a in soup.select("#result_list .field-excerpt a")]

    assert excerpts(flagged_only) == [flagged.excerpt]
    assert excerpts(clean_only) == ["Plain and honest"]


def test_a_comment_without_signals_shows_a_dash(moderator_client, article, make_comment):
    comment = make_comment(article)
    page = moderator_client.get(f"{CHANGELIST}{comment.pk}/change/")
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one(".field-held_because .readonly").get_text(strip=True) == "–"
