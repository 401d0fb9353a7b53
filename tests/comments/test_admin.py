"""The admin is the moderators' tool, and only theirs."""

from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User

from comments.models import Comment
from comments.permissions import MODERATORS_GROUP

CHANGELIST = "/admin/comments/comment/"


def change_url(comment: Comment) -> str:
    return f"{CHANGELIST}{comment.pk}/change/"


def run_action(client, action: str, *comments: Comment):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in comments], "index": 0},
        follow=True,
    )


def listed_bodies(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text() for a in soup.select("#result_list .field-excerpt a")]


def test_the_queue_opens_on_pending(moderator_client, article, make_comment):
    make_comment(article, body="waiting")
    make_comment(article, body="already approved", status="approved")
    make_comment(article, body="junk", status="spam")
    response = moderator_client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed_bodies(response) == ["waiting"]
    everything = moderator_client.get(CHANGELIST, {"status": "all"})
    assert sorted(listed_bodies(everything)) == ["already approved", "junk", "waiting"]
    assert listed_bodies(moderator_client.get(CHANGELIST, {"status": "spam"})) == ["junk"]


def test_changelist_columns_and_search(moderator_client, article, make_comment):
    make_comment(article, body="about magnesium", author_email="grace@example.com")
    make_comment(article, body="unrelated", ip_address="198.51.100.7")
    response = moderator_client.get(CHANGELIST, {"q": "grace@example"})
    soup = BeautifulSoup(response.content, "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("#result_list thead th")][1:]
    assert headers == [
        "Excerpt",
        "Name",
        "Email",
        "Article",
        "Status",
        "Held because",
        "Created at",
    ]
    assert listed_bodies(response) == ["about magnesium"]
    assert listed_bodies(moderator_client.get(CHANGELIST, {"q": "198.51.100.7"})) == ["unrelated"]


def test_bulk_approve_publishes_the_comment_with_the_right_count(
    client, moderator_client, moderator, article, make_comment
):
    first = make_comment(article, body="First reader question")
    second = make_comment(article, body="Second reader question")
    response = run_action(moderator_client, "approve", first, second)
    assert "2 comments approved." in response.text
    first.refresh_from_db()
    assert first.status == Comment.Status.APPROVED
    assert first.moderated_by == moderator
    assert first.moderated_at is not None
    client.logout()
    page = client.get(article.get_absolute_url())
    assert "First reader question" in page.text
    assert "Second reader question" in page.text
    assert ">2 comments<" in page.text


def test_reject_and_spam_actions_keep_comments_hidden(
    moderator_client, client, article, make_comment
):
    rejected = make_comment(article, body="rude words")
    spam = make_comment(article, body="buy pills")
    run_action(moderator_client, "reject", rejected)
    run_action(moderator_client, "mark_spam", spam)
    rejected.refresh_from_db()
    spam.refresh_from_db()
    assert (rejected.status, spam.status) == ("rejected", "spam")
    client.logout()
    page = client.get(article.get_absolute_url()).text
    assert "rude words" not in page
    assert "buy pills" not in page


def test_the_comment_page_has_one_button_per_decision(moderator_client, article, make_comment):
    comment = make_comment(article)
    soup = BeautifulSoup(moderator_client.get(change_url(comment)).content, "html.parser")
    buttons = soup.select(".moderation-actions button")
    assert [(b["name"], b["value"], b.get_text()) for b in buttons] == [
        ("CHANGE_FORM-action", "approve", "Approve"),
        ("CHANGE_FORM-action", "reject", "Reject"),
        ("CHANGE_FORM-action", "mark_spam", "Mark as spam"),
    ]
    # What the visitor wrote is read-only: there is no input for it.
    assert soup.select_one("textarea[name=body]") is None
    assert soup.select_one("input[name=author_name]") is None


def test_approving_from_the_comment_page_button(moderator_client, moderator, article, make_comment):
    comment = make_comment(article)
    response = moderator_client.post(
        change_url(comment),
        {"CHANGE_FORM-action": "approve", "_selected_action": comment.pk},
        follow=True,
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator


def test_staff_without_the_permission_cannot_moderate(
    client, staff_without_permission, article, make_comment
):
    comment = make_comment(article)
    client.force_login(staff_without_permission)
    assert client.get(CHANGELIST).status_code == 403
    response = run_action(client, "approve", comment)
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_viewer_without_moderate_permission_sees_no_actions(client, article, make_comment):
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    comment = make_comment(article)
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert 'name="action"' not in page.text
    run_action(client, "approve", comment)
    client.post(
        change_url(comment), {"CHANGE_FORM-action": "approve", "_selected_action": comment.pk}
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_anonymous_visitors_are_sent_to_the_login_page(client, article, make_comment):
    comment = make_comment(article)
    response = client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_the_moderators_group_holds_exactly_what_moderation_needs(db):
    group = Group.objects.get(name=MODERATORS_GROUP)
    codenames = sorted(group.permissions.values_list("content_type__app_label", "codename"))
    assert codenames == [("comments", "moderate_comment"), ("comments", "view_comment")]


def test_only_superusers_may_delete_comments(moderator_client, client, article, make_comment):
    comment = make_comment(article)
    assert (
        moderator_client.post(f"{CHANGELIST}{comment.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin = User.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    client.post(f"{CHANGELIST}{comment.pk}/delete/", {"post": "yes"})
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_article_admin_shows_pending_counts_linking_to_the_queue(client, article, make_comment):
    make_comment(article)
    make_comment(article)
    make_comment(article, status="approved")
    admin = User.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    soup = BeautifulSoup(client.get("/admin/blog/article/").content, "html.parser")
    link = soup.select_one(".field-pending_comments a")
    assert link.get_text() == "2"
    assert link["href"] == f"{CHANGELIST}?status=pending&article__id__exact={article.pk}"
    inline = client.get(f"/admin/blog/article/{article.pk}/change/")
    assert "Doe et al., 2020" in inline.text
