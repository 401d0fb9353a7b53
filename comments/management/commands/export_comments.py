import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments.privacy import export_comments


def email_address(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CommandError(f"{value!r} is not an email address.") from None
    return value


class Command(BaseCommand):
    help = (
        "Print as JSON every comment written with the given email address(es), with everything "
        "stored about it, to answer a commenter's request for their data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("emails", nargs="+", type=email_address, metavar="EMAIL")
        parser.add_argument("--output", "-o", help="Write to this file instead of the screen.")

    def handle(self, *args, emails: list[str], output: str | None, **options) -> None:
        document = json.dumps(export_comments(emails), indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(document + "\n")
            count = len(json.loads(document)["comments"])
            self.stderr.write(f"Wrote {count} comment(s) to {output}.")
        else:
            self.stdout.write(document)
