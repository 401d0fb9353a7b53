"""What a person's browser sends with the comment form, for tests that are not about spam.

A person reads for a while before posting, and two people post from two addresses: the spam
defence (comments/spam.py) would rightly hold or refuse anything else.
"""

import itertools
from datetime import timedelta

from django.utils import timezone

from comments import spam

_addresses = (f"198.51.100.{n}" for n in itertools.cycle(range(1, 255)))


def as_sent_by_a_person(data: dict) -> dict:
    """`data` with the form's hidden fields as a browser sends them a minute after loading."""
    shown = spam.sign_form_timestamp(timezone.now() - timedelta(minutes=1))
    return {"website": "", "rendered_at": shown} | data


def another_visitor() -> dict[str, str]:
    """Request headers of a visitor at an address no other test request used recently."""
    return {"REMOTE_ADDR": next(_addresses)}
