import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create an account with a role; the password is read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--street", help="street name or code (street staff only)")

    def handle(self, *args, **options):
        # Messages (ours and Django's password validators) in the project's language,
        # whatever the caller had active.
        with translation.override(settings.LANGUAGE_CODE):
            return self.create(**options)

    def create(self, *, username, role, street, **options):
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("No password on standard input."))
        try:
            user = user_create(username=username, role=role, password=password, street_name=street)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _("Created %(name)s (%(role)s).") % {"name": user.username, "role": user.get_role_display()}
        )
