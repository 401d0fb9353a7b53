"""Whatever arrives at the posting address, the answer is a 4xx that helps or a redirect: never a
500, and the database stays consistent."""

import string

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from blog.models import Article
from comments import spam
from comments.models import Comment
from config.views import TOO_MANY_PARTS, TOO_MUCH
from tests.hostile import hostile_strings

VALID = {
    "author_name": "Grace Reader",
    "author_email": "grace@example.com",
    "body": "Does magnesium glycinate upset the stomach?",
}


def post_url(article: Article) -> str:
    return f"/blog/{article.slug}/comments/"


# --- Each kind of bad request -----------------------------------------------------------------


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
def test_a_nul_byte_in_any_field_is_refused_with_a_message(client, article, field):
    value = VALID[field].replace("a", "a\x00", 1)
    response = client.post(post_url(article), VALID | {field: value})
    assert response.status_code == 400
    assert "invisible null character" in response.text
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"author_name=%FF%FEGrace&author_email=grace%40example.com&body=caf%C3%A9%E9%80",
        b"author_name=\xff\xfe\xfd&author_email=grace@example.com&body=\xc3\x28 broken",
        b"author_name=Grace&author_email=\xed\xa0\x80@example.com&body=surrogate",
        b"\xff" * 64,
    ],
)
def test_invalid_utf8_is_read_with_replacement_characters_never_a_500(client, article, raw):
    response = client.post(post_url(article), raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {302, 400}
    for comment in Comment.objects.all():
        comment.full_clean()


def test_a_10_mb_body_gets_a_friendly_400_page(client, article):
    huge = VALID | {"body": "x" * (10 * 1024 * 1024)}
    response = client.post(post_url(article), huge)
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("h1").get_text() == "That request was not accepted"
    assert TOO_MUCH in soup.select_one("main").get_text()
    assert soup.select_one(".site-header") is not None
    assert Comment.objects.count() == 0


def test_ten_thousand_fields_get_a_friendly_400_page(client, article):
    crowd = VALID | {f"field{n}": "x" for n in range(10_000)}
    response = client.post(post_url(article), crowd)
    assert response.status_code == 400
    assert TOO_MANY_PARTS in BeautifulSoup(response.content, "html.parser").get_text()
    assert Comment.objects.count() == 0


def test_a_malformed_multipart_body_is_a_400_not_a_500(client, article):
    response = client.post(
        post_url(article),
        b"--nope\r\nContent-Disposition: form-data; name=\r\n\r\n",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_json_instead_of_a_form_is_answered_with_the_form_errors(client, article):
    response = client.post(post_url(article), VALID, content_type="application/json")
    assert response.status_code == 400
    assert "Please enter your name." in response.text


@pytest.mark.parametrize(
    ("field", "length"),
    [("author_name", 10_000), ("author_email", 10_000), ("body", 200_000), ("website", 200_000)],
)
def test_overlong_fields_are_refused_or_ignored_never_stored_whole(client, article, field, length):
    response = client.post(post_url(article), VALID | {field: "a" * length})
    if field == "website":
        # The honeypot is never stored: the comment is kept as spam with the signal.
        assert response.status_code == 302
        assert Comment.objects.get().status == Comment.Status.SPAM
    else:
        assert response.status_code == 400
        assert "characters or fewer" in response.text
        assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "blank",
    [" ", "\n\n\t", "\u00a0\u3000\u2003", "\u200b\u200d\ufeff", "\r\n \u2028"],
)
def test_whitespace_or_invisible_only_comments_are_refused(client, article, blank):
    response = client.post(post_url(article), VALID | {"body": blank, "author_name": blank})
    assert response.status_code == 400
    assert "Please enter your comment." in response.text
    assert "Please enter your name." in response.text
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "email",
    [
        "plainaddress",
        "@example.com",
        "grace@",
        "grace@@example.com",
        "grace@example..com",
        "grace example@example.com",
        "grace@exa mple.com",
        "<script>@example.com",
        "grace@example.com\nBcc: victim@example.com",
        "\x00@example.com",
    ],
)
def test_malformed_emails_are_refused_with_an_example(client, article, email):
    response = client.post(post_url(article), VALID | {"author_email": email})
    assert response.status_code == 400
    assert "like name@example.com" in response.text or "null character" in response.text
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head", "options"])
def test_anything_but_post_gets_405_with_a_way_back(client, article, method):
    response = getattr(client, method)(post_url(article))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    if method != "head":
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.select_one("main a")["href"] == f"{article.get_absolute_url()}#leave-a-comment"


def test_put_with_a_valid_csrf_token_is_still_405(article):
    strict = Client(enforce_csrf_checks=True)
    strict.get(article.get_absolute_url())
    token = strict.cookies["csrftoken"].value
    response = strict.put(post_url(article), "body=x", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 405


@pytest.mark.parametrize("token", [None, "wrong-token", "x" * 64])
def test_a_missing_or_wrong_csrf_token_gets_a_friendly_403_that_reveals_nothing(article, token):
    strict = Client(enforce_csrf_checks=True)
    strict.get(article.get_absolute_url())
    typed = VALID | {"body": "Private words <b>here</b>"}
    if token is not None:
        typed["csrfmiddlewaretoken"] = token
    response = strict.post(post_url(article), typed)
    assert response.status_code == 403
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("h1").get_text() == "Your form could not be accepted"
    assert soup.select_one(".site-header") is not None
    page = response.text
    cookie = strict.cookies["csrftoken"].value
    for secret in ("Private words", "grace@example.com", cookie, "CSRF token", "Referer"):
        assert secret not in page
    if token:
        assert token not in page
    assert "no-cache" in response["Cache-Control"]
    assert Comment.objects.count() == 0


def test_a_cross_site_post_with_a_foreign_origin_is_refused(article):
    strict = Client(enforce_csrf_checks=True)
    strict.get(article.get_absolute_url())
    page = BeautifulSoup(strict.get(article.get_absolute_url()).content, "html.parser")
    token = page.select_one("[name=csrfmiddlewaretoken]")["value"]
    response = strict.post(
        post_url(article),
        VALID | {"csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_unknown_and_draft_articles_are_404_whatever_the_method(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    for url in (post_url(draft), "/blog/nothing-here/comments/"):
        assert client.post(url, VALID).status_code == 404
        assert client.get(url).status_code == 404
    assert client.post("/blog/bad%00slug/comments/", VALID).status_code == 404
    assert Comment.objects.count() == 0


# --- Generated input --------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


def _field_value() -> st.SearchStrategy[str]:
    return st.one_of(
        _TEXT,
        st.sampled_from(hostile_strings()),
        st.just(""),
        st.text(alphabet=" \t\n\r\u00a0\u200b\u3000", max_size=20),
        st.text(alphabet=string.ascii_letters, min_size=90, max_size=6000),
        st.emails().map(str),
        st.builds(lambda a, b: f"{a}\x00{b}", _TEXT, _TEXT),
    )


def _timestamp() -> st.SearchStrategy[str]:
    from datetime import timedelta

    from django.utils import timezone

    def signed(seconds: int) -> str:
        return spam.sign_form_timestamp(timezone.now() - timedelta(seconds=seconds))

    return st.one_of(
        st.integers(min_value=0, max_value=600).map(signed),
        st.integers(min_value=-60, max_value=2 * 24 * 3600).map(signed),
        _TEXT,
        st.just(""),
    )


def _mostly(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` three times in four. (one_of flattens nested choices and picks among all of
    them evenly, which would let the many kinds of junk crowd out valid values.)"""
    return st.integers(min_value=0, max_value=3).flatmap(lambda n: unusual if n == 3 else usual)


# A few fixed senders, so the posts within one example meet the flood and duplicate rules.
_EMAILS = st.sampled_from(["grace@example.com", "ada@example.org", "GRACE@example.com"])
_NAMES = st.sampled_from(["Grace", "Ada Lovelace", "Zoë O’Brien", "李小龍"])
_OPTIONAL_FIELDS = {
    "website": st.one_of(st.just(""), _field_value()),
    "rendered_at": _timestamp(),
    "status": st.sampled_from(["approved", "spam", "x" * 50]),
    "article": st.integers(),
}
# Mostly well-formed, with hostile or random text: these reach the spam rules and the DB.
_MOSTLY_VALID_FORM = st.fixed_dictionaries(
    {
        "author_name": _mostly(_NAMES, _field_value()),
        "author_email": _mostly(st.one_of(_EMAILS, st.emails().map(str)), _field_value()),
        "body": _mostly(st.sampled_from(hostile_strings()), _field_value()),
    },
    optional=_OPTIONAL_FIELDS,
)
# Anything at all, fields missing, extra fields with any name.
_ANY_FORM = st.fixed_dictionaries(
    {},
    optional={
        "author_name": _field_value(),
        "author_email": _field_value(),
        "body": _field_value(),
        **_OPTIONAL_FIELDS,
    },
).flatmap(
    lambda fields: st.dictionaries(_TEXT, _TEXT, max_size=5).map(lambda extra: extra | fields)
)
_FORM = _mostly(_MOSTLY_VALID_FORM, _ANY_FORM)
_RAW = st.tuples(
    st.binary(max_size=3000),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/json",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=nonsense",
        ]
    ),
)
_REQUEST = st.one_of(st.tuples(st.just("form"), _FORM), st.tuples(st.just("raw"), _RAW))
_ADDRESS = st.one_of(
    st.sampled_from(["203.0.113.9", "2001:db8::9"]),
    st.ip_addresses().map(str),
    st.sampled_from(["", "not-an-ip"]),
)

ANSWERS = {302, 400, 429}
FIELD_LIMITS = {
    "author_name": Comment.NAME_MAX_LENGTH,
    "author_email": Comment.EMAIL_MAX_LENGTH,
    "body": Comment.BODY_MAX_LENGTH,
}


class GeneratedPostsTests(TestCase):
    """Hypothesis drives sequences of posts; each example runs in its own rolled-back
    transaction (hypothesis' Django TestCase), so examples cannot affect each other, while the
    posts within one example meet each other's flood and duplicate rules."""

    @classmethod
    def setUpTestData(cls) -> None:
        from datetime import timedelta

        from django.utils import timezone

        cls.article = Article.objects.create(
            title="Magnesium",
            slug="magnesium",
            summary="s",
            body_source="b",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=1),
        )

    def assert_database_consistent(self) -> None:
        for comment in Comment.objects.all():
            comment.full_clean()
            assert comment.article_id == self.article.pk
            assert comment.status in Comment.Status.values
            assert comment.body.strip()
            assert comment.author_name.strip()
            for field, limit in FIELD_LIMITS.items():
                value = getattr(comment, field)
                assert "\x00" not in value
                assert len(value) <= limit
            assert isinstance(comment.spam_signals, list)
            assert all(s["code"] in spam.SignalCode.values for s in comment.spam_signals)
            assert comment.moderated_by is None
        self.article.refresh_from_db()
        assert self.article.comment_count == 0  # nothing a visitor sends is ever approved

    @settings(
        max_examples=120,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests=st.lists(st.tuples(_REQUEST, _ADDRESS), min_size=1, max_size=5))
    def test_any_post_is_answered_without_a_server_error(self, requests) -> None:
        client = Client(raise_request_exception=False)
        url = post_url(self.article)
        for (kind, payload), address in requests:
            before = Comment.objects.count()
            meta = {"REMOTE_ADDR": address}
            if kind == "form":
                response = client.post(url, payload, **meta)
            else:
                body, content_type = payload
                # generic() sends the bytes as they are; post() would re-encode them first.
                response = client.generic("POST", url, body, content_type=content_type, **meta)
            assert response.status_code in ANSWERS, (response.status_code, kind, payload)
            event(f"{kind} answered {response.status_code}")
            added = Comment.objects.count() - before
            if response.status_code == 302:
                assert added in {0, 1}  # 0: a duplicate the visitor is told about
            else:
                assert added == 0
                assert response["Content-Type"].startswith("text/html")
            self.assert_database_consistent()
