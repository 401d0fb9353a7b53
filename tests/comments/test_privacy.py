"""Commenters' data: shortened and purged on schedule, exported and erased on request."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment
from comments.privacy import truncate_ip

CHANGELIST = "/admin/comments/comment/"


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("198.51.100.0", "198.51.100.0"),
        ("2001:db8:abcd:12:3456::7", "2001:db8:abcd::"),
        ("2001:db8::1", "2001:db8::"),
        ("::ffff:203.0.113.77", "203.0.113.0"),
    ],
)
def test_addresses_are_cut_to_their_network(address, network):
    assert truncate_ip(address) == network


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def test_the_privacy_notice_says_what_is_kept_and_for_how_long(client, article, settings):
    settings.COMMENT_IP_RETENTION_DAYS = 14
    settings.COMMENT_SPAM_PURGE_DAYS = 60
    settings.PRIVACY_CONTACT_EMAIL = "privacy@example.com"
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    notice = soup.select_one("#leave-a-comment .privacy-notice").get_text(" ", strip=True)
    for words in (
        "name and comment",
        "email address, never shown",
        "IP address and browser",
        "after 14 days",
        "deleted 60 days after the decision",
        "privacy@example.com",
    ):
        assert words in notice, words
    assert soup.select_one('.privacy-notice a[href="mailto:privacy@example.com"]') is not None


def test_retention_shortens_old_addresses_and_clears_old_browsers(
    article, make_comment, settings, capsys
):
    settings.COMMENT_IP_RETENTION_DAYS = 30
    old_v4 = make_comment(article, ip_address="203.0.113.77", user_agent="Firefox/140",
                          created_at=days_ago(31))  # fmt: skip
    old_v6 = make_comment(article, ip_address="2001:db8:abcd:12::7", created_at=days_ago(40))
    recent = make_comment(article, ip_address="198.51.100.9", user_agent="Safari/19",
                          created_at=days_ago(29))  # fmt: skip
    call_command("apply_comment_retention")
    for comment in (old_v4, old_v6, recent):
        comment.refresh_from_db()
    assert (old_v4.ip_address, old_v4.user_agent) == ("203.0.113.0", "")
    assert old_v6.ip_address == "2001:db8:abcd::"
    assert (recent.ip_address, recent.user_agent) == ("198.51.100.9", "Safari/19")
    assert "shortened 2 IP address(es) and cleared 1 browser description(s)" in (
        capsys.readouterr().out
    )
    call_command("apply_comment_retention")
    assert "shortened 0 IP address(es) and cleared 0" in capsys.readouterr().out


def test_retention_deletes_old_spam_and_rejected_comments_only(
    article, make_comment, moderator, settings
):
    settings.COMMENT_SPAM_PURGE_DAYS = 30
    kept, purged = [], []
    for status in Comment.Status:
        old = make_comment(article, body=f"old {status}", created_at=days_ago(90))
        if status != Comment.Status.PENDING:
            old.moderate(status, by=moderator)
            Comment.objects.filter(pk=old.pk).update(moderated_at=days_ago(31))
        fresh = make_comment(article, body=f"fresh {status}", created_at=days_ago(90))
        if status != Comment.Status.PENDING:
            fresh.moderate(status, by=moderator)  # decided just now
        (purged if status in ("spam", "rejected") else kept).append(old.body)
        kept.append(fresh.body)
    call_command("apply_comment_retention", dry_run=True)
    assert Comment.objects.count() == 8
    call_command("apply_comment_retention")
    assert sorted(Comment.objects.values_list("body", flat=True)) == sorted(kept)
    article.refresh_from_db()
    assert article.comment_count == 2


def test_export_lists_every_comment_of_an_address_and_nothing_else(
    article, make_article, make_comment, settings, capsys
):
    settings.SITE_URL = "https://blog.example.com"
    other_article = make_article(slug="second", title="Second article")
    make_comment(article, author_email="Ada@Example.com", body="first", ip_address="203.0.113.7")
    make_comment(other_article, author_email="ada@example.com", body="second",
                 status=Comment.Status.SPAM, user_agent="Firefox/140")  # fmt: skip
    make_comment(article, author_email="bob@example.com", body="not Ada's")
    call_command("export_comments", "ADA@example.com")
    document = json.loads(capsys.readouterr().out)
    assert document["email_addresses"] == ["ada@example.com"]
    assert [c["comment"] for c in document["comments"]] == ["first", "second"]
    first, second = document["comments"]
    assert first["article"] == "Vitamin K and Your Arteries"
    assert first["article_url"] == f"https://blog.example.com{article.get_absolute_url()}"
    assert first["ip_address"] == "203.0.113.7"
    assert first["author_email"] == "Ada@Example.com"
    assert (second["status"], second["user_agent"]) == ("spam", "Firefox/140")
    assert set(first) >= {"author_name", "posted_at", "email_me_when_published", "moderated_at"}


def test_export_can_write_to_a_file(article, make_comment, tmp_path):
    make_comment(article)
    target = tmp_path / "ada.json"
    call_command("export_comments", "ada@example.com", output=str(target))
    assert len(json.loads(target.read_text())["comments"]) == 1


def test_export_and_erase_refuse_what_is_not_an_address(db):
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("export_comments", "ada")
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("erase_comments", "ada", interactive=False)


def test_erasure_deletes_every_comment_of_the_address_with_its_traces(
    article, make_comment, moderator, capsys
):
    published = make_comment(article, author_email="ada@example.com", body="published")
    published.moderate(Comment.Status.APPROVED, by=moderator)
    make_comment(article, author_email="ADA@example.com", body="pending")
    bob = make_comment(article, author_email="bob@example.com", body="Bob's", status="approved")
    LogEntry.objects.create(
        user=moderator,
        content_type=ContentType.objects.get_for_model(Comment),
        object_id=str(published.pk),
        object_repr=str(published),
        action_flag=CHANGE,
    )
    article.refresh_from_db()
    assert article.comment_count == 2
    call_command("erase_comments", "ada@example.com", interactive=False)
    assert "Erased 2 comment(s)." in capsys.readouterr().out
    assert list(Comment.objects.all()) == [bob]
    assert not LogEntry.objects.filter(object_id=str(published.pk)).exists()
    assert not published.status_changes.exists()
    article.refresh_from_db()
    assert article.comment_count == 1


def test_erasure_asks_first_and_stops_unless_told_yes(article, make_comment, monkeypatch):
    make_comment(article)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="nothing was deleted"):
        call_command("erase_comments", "ada@example.com")
    assert Comment.objects.count() == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("erase_comments", "ada@example.com")
    assert Comment.objects.count() == 0


# --- The same from the admin, for superusers ------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


def test_the_admin_exports_the_selected_authors_comments(superuser_client, article, make_comment):
    picked = make_comment(article, author_email="ada@example.com", body="picked")
    make_comment(article, author_email="ada@example.com", body="also Ada's", status="spam")
    make_comment(article, author_email="bob@example.com", body="Bob's")
    response = superuser_client.post(
        f"{CHANGELIST}?status=all",
        {"action": "export_authors_comments", "_selected_action": [picked.pk], "index": 0},
    )
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="comments-export-')
    document = json.loads(response.content)
    assert [c["comment"] for c in document["comments"]] == ["picked", "also Ada's"]


def test_the_admin_erases_after_a_confirmation_page(superuser_client, article, make_comment):
    picked = make_comment(article, author_email="ada@example.com", body="picked")
    make_comment(article, author_email="Ada@example.com", body="also Ada's", status="approved")
    make_comment(article, author_email="bob@example.com", body="Bob's")
    data = {"action": "erase_authors_comments", "_selected_action": [picked.pk]}
    confirm = superuser_client.post(f"{CHANGELIST}?status=all", data | {"index": 0})
    assert confirm.status_code == 200
    assert "ada@example.com" in confirm.text
    assert "2 comments will be erased." in confirm.text
    assert Comment.objects.count() == 3
    soup = BeautifulSoup(confirm.content, "html.parser")
    form = soup.select_one("#content form")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    done = superuser_client.post(f"{CHANGELIST}?status=all", fields, follow=True)
    assert "Erased 2 comments of 1 email address." in done.text
    assert list(Comment.objects.values_list("body", flat=True)) == ["Bob's"]


def test_moderators_cannot_export_or_erase(moderator_client, article, make_comment):
    comment = make_comment(article)
    page = moderator_client.get(CHANGELIST)
    assert "erase_authors_comments" not in page.text
    assert "export_authors_comments" not in page.text
    moderator_client.post(
        CHANGELIST,
        {"action": "erase_authors_comments", "_selected_action": [comment.pk],
         "confirm_erasure": "yes"},
    )  # fmt: skip
    assert Comment.objects.filter(pk=comment.pk).exists()
