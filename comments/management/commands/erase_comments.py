from django.core.management.base import BaseCommand, CommandError

from comments.management.commands.export_comments import email_address
from comments.privacy import comments_of, erase_comments


class Command(BaseCommand):
    help = (
        "Delete every comment written with the given email address(es), whatever its status, "
        "with its history: a commenter's right to erasure. Export first if they asked for a copy."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("emails", nargs="+", type=email_address, metavar="EMAIL")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, emails: list[str], interactive: bool, **options) -> None:
        count = comments_of(emails).count()
        if count == 0:
            self.stdout.write("No comments with these email addresses: nothing to erase.")
            return
        if interactive:
            answer = input(
                f"Erase {count} comment(s) of {', '.join(emails)}? This cannot be undone. "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Erasure cancelled: nothing was deleted.")
        erased = erase_comments(emails)
        self.stdout.write(self.style.SUCCESS(f"Erased {erased} comment(s)."))
