"""The local moderator account exists for development only."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from comments.permissions import MODERATE_PERMISSION


def test_local_moderator_is_created_once_and_its_password_printed_once(settings, capsys, db):
    settings.DEBUG = True
    call_command("ensure_local_moderator")
    first = capsys.readouterr().out
    password = first.split("password: ")[1].split()[0]
    user = User.objects.get(username="moderator")
    assert user.is_staff
    assert user.email == "moderator@localhost"
    assert not user.is_superuser
    assert user.check_password(password)
    assert user.has_perm(MODERATE_PERMISSION)

    call_command("ensure_local_moderator")
    second = capsys.readouterr().out
    assert password not in second
    assert User.objects.filter(username="moderator").count() == 1


def test_local_moderator_is_refused_with_production_settings(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG=1"):
        call_command("ensure_local_moderator")
    assert not User.objects.filter(username="moderator").exists()
