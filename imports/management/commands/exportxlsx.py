from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from imports.exports import ExportError, export_register
from imports.registry import REGISTERS
from scoping.rules import SYSTEM


class Command(BaseCommand):
    help = "Export a register to .xlsx (or .csv with BOM), streamed, as USER sees it."

    def add_arguments(self, parser):
        parser.add_argument("register", help="one of: " + ", ".join(sorted(REGISTERS)))
        parser.add_argument("--output", "-o", required=True, help="a .xlsx or .csv file")
        parser.add_argument(
            "--user", help="export with this user's scope (default: the whole district)"
        )

    def handle(self, *args, register, output, user, **options):
        if register not in REGISTERS:
            raise CommandError(
                _("Unknown register “%(name)s”. Registers: %(names)s.")
                % {"name": register, "names": ", ".join(sorted(REGISTERS))}
            )
        account = SYSTEM
        if user:
            account = User.objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(_("No active user “%(name)s”.") % {"name": user})
        try:
            count = export_register(register, output, user=account)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("%(count)s row(s) written to %(path)s.") % {"count": count, "path": output}
        )
