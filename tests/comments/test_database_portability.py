"""Input that SQLite stores but PostgreSQL refuses gets a clear 400 on both, never a 500.

PostgreSQL text cannot hold a NUL character; `make test` runs this on both databases.
"""

import pytest

from comments.models import Comment

VALID = {"author_name": "Ada", "author_email": "ada@example.com", "body": "A question."}


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
def test_a_nul_character_in_any_field_is_refused_with_a_message_and_the_text_kept(
    client, article, field
):
    typed = VALID | {field: VALID[field][:3] + "\x00" + VALID[field][3:]}
    response = client.post(f"/blog/{article.slug}/comments/", typed)
    assert response.status_code == 400
    assert "contains an invisible null character; please retype it without." in response.text
    assert Comment.objects.count() == 0
    assert VALID["author_name"] in response.text or field == "author_name"
