"""A mail backend whose server is down, to test that nothing is lost when sending fails."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        raise ConnectionRefusedError("the mail server refused the connection")
