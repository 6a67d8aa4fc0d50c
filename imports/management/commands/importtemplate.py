from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from imports.errors import ImportFileError
from imports.registry import REGISTERS
from imports.template_workbooks import template_workbook


class Command(BaseCommand):
    help = "Write the import template of a register, as USER would download it."

    def add_arguments(self, parser):
        parser.add_argument("register", help="one of: " + ", ".join(sorted(REGISTERS)))
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--user", required=True, help="the template this user gets")

    def handle(self, *args, register, output, user, **options):
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": user})
        try:
            content = template_workbook(register=register, user=account)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        Path(output).write_bytes(content)
        self.stdout.write(str(output))
