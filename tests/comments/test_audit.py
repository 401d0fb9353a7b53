"""Every status change is recorded once, by Comment.moderate(), and shown read-only."""

import itertools
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.utils import timezone

from comments.models import Comment, CommentStatusChange
from comments.moderation import AUTO_APPROVAL_REASON
from tests.support.comment_form import another_visitor, as_sent_by_a_person

CHANGELIST = "/admin/comments/comment/"
STATUSES = list(Comment.Status)


def change_url(comment: Comment) -> str:
    return f"{CHANGELIST}{comment.pk}/change/"


@pytest.mark.parametrize(("start", "end"), list(itertools.permutations(STATUSES, 2)))
def test_every_transition_writes_one_history_row(article, make_comment, moderator, start, end):
    comment = make_comment(article, status=start)
    change = comment.moderate(end, by=moderator, reason=f"{start} to {end}")
    assert change is not None
    row = CommentStatusChange.objects.get(comment=comment)
    assert (row.from_status, row.to_status, row.changed_by, row.reason, row.automatic) == (
        start,
        end,
        moderator,
        f"{start} to {end}",
        False,
    )
    comment.refresh_from_db()
    assert comment.status == end
    assert row.changed_at == comment.moderated_at


def test_a_decision_that_changes_nothing_records_nothing(article, make_comment, moderator):
    comment = make_comment(article, status=Comment.Status.APPROVED)
    assert comment.moderate(Comment.Status.APPROVED, by=moderator) is None
    assert comment.status_changes.count() == 0


def test_the_recorded_from_status_is_the_stored_one_not_a_stale_copy(
    article, make_comment, moderator
):
    comment = make_comment(article)
    stale = Comment.objects.get(pk=comment.pk)
    comment.moderate(Comment.Status.SPAM, by=moderator)
    stale.moderate(Comment.Status.APPROVED, by=moderator)
    assert list(stale.status_changes.values_list("from_status", "to_status")) == [
        ("pending", "spam"),
        ("spam", "approved"),
    ]


def test_a_long_reason_is_cut_to_fit(article, make_comment, moderator):
    comment = make_comment(article)
    comment.moderate(Comment.Status.REJECTED, by=moderator, reason="x" * 600)
    assert len(comment.status_changes.get().reason) == CommentStatusChange.REASON_MAX_LENGTH


def test_the_admin_shows_the_history_read_only(moderator_client, moderator, article, make_comment):
    comment = make_comment(article)
    comment.moderate(Comment.Status.APPROVED, by=moderator, reason="Helpful question")
    comment.moderate(Comment.Status.PENDING, by=None, reason="Checked again")
    soup = BeautifulSoup(moderator_client.get(change_url(comment)).content, "html.parser")
    rows = soup.select(".inline-related tbody tr.has_original, .inline-related tbody tr.form-row")
    cells = [
        [td.get_text(strip=True) for td in row.select("td.field-from_status, td.field-to_status, "
                                                       "td.field-decided_by, td.field-reason")]
        for row in rows
    ]  # fmt: skip
    assert cells == [
        ["Pending", "Approved", "mod", "Helpful question"],
        ["Approved", "Pending", "automatic", "Checked again"],
    ]
    assert soup.select(".inline-related input[name$='-reason']") == []
    assert soup.select(".inline-related .add-row") == []


def test_undo_approval_from_the_list_sends_back_to_pending_and_is_recorded(
    moderator_client, moderator, client, article, make_comment
):
    approved = make_comment(article, body="published one")
    approved.moderate(Comment.Status.APPROVED, by=moderator)
    spam = make_comment(article, body="junk", status=Comment.Status.SPAM)
    # The list of every status, as a moderator sees it after choosing "All".
    response = moderator_client.post(
        f"{CHANGELIST}?status=all",
        {
            "action": "undo_approval",
            "_selected_action": [approved.pk, spam.pk],
            "index": 0,
            "reason": "Published by mistake",
        },
        follow=True,
    )
    assert "1 comment moved back to pending." in response.text
    assert "1 comment was not approved, so left as they were." in response.text
    approved.refresh_from_db()
    spam.refresh_from_db()
    assert (approved.status, spam.status) == ("pending", "spam")
    last = approved.status_changes.last()
    assert (last.from_status, last.to_status, last.changed_by, last.reason) == (
        "approved",
        "pending",
        moderator,
        "Published by mistake",
    )
    article.refresh_from_db()
    assert article.comment_count == 0
    client.logout()
    assert "published one" not in client.get(article.get_absolute_url()).text


def test_undo_approval_button_shows_only_on_approved_comments(
    moderator_client, moderator, article, make_comment
):
    comment = make_comment(article)

    def button_values() -> list[str]:
        soup = BeautifulSoup(moderator_client.get(change_url(comment)).content, "html.parser")
        return [b["value"] for b in soup.select(".moderation-actions button")]

    assert "undo_approval" not in button_values()
    comment.moderate(Comment.Status.APPROVED, by=moderator)
    assert "undo_approval" in button_values()
    moderator_client.post(
        change_url(comment),
        {
            "CHANGE_FORM-action": "undo_approval",
            "CHANGE_FORM-reason": "Needs a source",
            "_selected_action": comment.pk,
        },
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.status_changes.last().reason == "Needs a source"


def test_a_reason_typed_next_to_a_bulk_action_is_recorded(moderator_client, article, make_comment):
    first = make_comment(article)
    second = make_comment(article)
    moderator_client.post(
        CHANGELIST,
        {
            "action": "mark_spam",
            "_selected_action": [first.pk, second.pk],
            "index": 0,
            "reason": "Same link in both",
        },
    )
    reasons = CommentStatusChange.objects.values_list("to_status", "reason")
    assert sorted(reasons) == [("spam", "Same link in both")] * 2


def test_deleting_a_moderator_keeps_the_history(article, make_comment):
    someone = User.objects.create_user("temp", is_staff=True)
    comment = make_comment(article)
    comment.moderate(Comment.Status.REJECTED, by=someone)
    someone.delete()
    change = comment.status_changes.get()
    assert change.changed_by is None
    assert change.decided_by == "a deleted user"


# --- Automatic approval of returning commenters ---------------------------------------------------


def post(client, article, **fields):
    data = {"author_name": "Ada", "author_email": "ada@example.com", "body": "Another question"}
    return client.post(
        f"/blog/{article.slug}/comments/", as_sent_by_a_person(data | fields), **another_visitor()
    )


def earlier_comment(make_comment, article, **fields):
    """A comment the same person left an hour ago."""
    return make_comment(article, created_at=timezone.now() - timedelta(hours=1), **fields)


def test_returning_commenters_wait_like_everyone_by_default(client, article, make_comment):
    earlier_comment(make_comment, article, status=Comment.Status.APPROVED)
    post(client, article)
    assert Comment.objects.get(body="Another question").status == Comment.Status.PENDING


def test_with_the_setting_a_returning_commenter_is_published_and_it_is_recorded(
    client, article, make_comment, settings
):
    settings.COMMENTS_AUTO_APPROVE_RETURNING = True
    earlier_comment(
        make_comment, article, status=Comment.Status.APPROVED, author_email="Ada@Example.com"
    )
    response = post(client, article)
    comment = Comment.objects.get(body="Another question")
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == comment.get_absolute_url()
    change = comment.status_changes.get()
    assert (change.from_status, change.to_status, change.automatic, change.changed_by) == (
        "pending",
        "approved",
        True,
        None,
    )
    assert change.reason == AUTO_APPROVAL_REASON
    assert change.decided_by == "automatic"
    page = client.get(response["Location"])
    assert "Thank you: your comment is published." in page.text
    assert "Another question" in page.text


@pytest.mark.parametrize("earlier_status", ["pending", "rejected", "spam"])
def test_only_an_approved_comment_makes_a_commenter_returning(
    client, article, make_comment, settings, earlier_status
):
    settings.COMMENTS_AUTO_APPROVE_RETURNING = True
    earlier_comment(make_comment, article, status=earlier_status)
    post(client, article)
    assert Comment.objects.get(body="Another question").status == Comment.Status.PENDING


def test_a_comment_with_spam_signals_is_never_approved_automatically(
    article, make_comment, settings
):
    from comments.moderation import should_auto_approve

    settings.COMMENTS_AUTO_APPROVE_RETURNING = True
    make_comment(article, status=Comment.Status.APPROVED)
    comment = make_comment(article, body="new")
    assert should_auto_approve(comment)
    comment.spam_signals = ["contains 4 links"]
    assert not should_auto_approve(comment)
