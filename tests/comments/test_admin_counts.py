"""Moderators see how many comments wait for them, wherever they are in the admin."""

from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission, User

from comments.models import Comment

QUEUE = "/admin/comments/comment/?status=pending"


def test_the_header_and_home_page_show_the_pending_count(moderator_client, article, make_comment):
    make_comment(article)
    make_comment(article)
    make_comment(article, status=Comment.Status.APPROVED)
    home = BeautifulSoup(moderator_client.get("/admin/").content, "html.parser")
    header_link = home.select_one("#user-tools a.pending-comments-link")
    assert header_link.get_text() == "2 comments to moderate"
    assert header_link["href"] == QUEUE
    summary = home.select_one(".pending-comments-summary a")
    assert summary.get_text(" ", strip=True) == "2 comments waiting for a moderator"
    assert summary["href"] == QUEUE
    # Every admin page has it in the header.
    queue = BeautifulSoup(moderator_client.get(QUEUE).content, "html.parser")
    assert queue.select_one("#user-tools a.pending-comments-link").get_text() == (
        "2 comments to moderate"
    )


def test_an_empty_queue_says_so(moderator_client, db):
    home = BeautifulSoup(moderator_client.get("/admin/").content, "html.parser")
    assert home.select_one("#user-tools a.pending-comments-link").get_text() == (
        "0 comments to moderate"
    )
    summary = home.select_one(".pending-comments-summary").get_text(" ", strip=True)
    assert "No comments are waiting for a moderator." in summary


def test_staff_who_cannot_moderate_see_no_count(client, article, make_comment):
    make_comment(article)
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    home = BeautifulSoup(client.get("/admin/").content, "html.parser")
    assert home.select_one(".pending-comments-link") is None
    assert home.select_one(".pending-comments-summary") is None


def test_the_login_page_shows_no_count(client, article, make_comment):
    make_comment(article)
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert "to moderate" not in page.text
