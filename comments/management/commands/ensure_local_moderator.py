import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from comments.permissions import MODERATORS_GROUP


class Command(BaseCommand):
    help = (
        "Development only: make sure a 'moderator' account exists in the Moderators group, "
        "printing its password when it is first created."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="moderator")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_moderator only runs with DEBUG=1. In production create real "
                "accounts with `manage.py createsuperuser` and add them to the Moderators group."
            )
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(
                f"Local moderator '{username}' exists (its password was printed when it was "
                f"created; set a new one with `manage.py changepassword {username}`)."
            )
            return
        password = secrets.token_urlsafe(12)
        # An address, so the moderation emails show in `make run`'s console.
        user = user_model.objects.create_user(
            username=username, email=f"{username}@localhost", password=password, is_staff=True
        )
        user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created local moderator for http://127.0.0.1:8000/admin/\n"
                f"  username: {username}\n  password: {password}"
            )
        )
