from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from imports.errors import ImportFileError
from imports.registry import REGISTERS
from imports.services import import_file


class Command(BaseCommand):
    help = "Import a register from an .xlsx, .xls, .ods or .csv file, all or nothing, as USER would."

    def add_arguments(self, parser):
        parser.add_argument("register", help="one of: " + ", ".join(sorted(REGISTERS)))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--user", required=True, help="import with this user's scope")

    def handle(self, *args, register, file, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": user})
        try:
            outcome = import_file(register=register, path=path, user=account, dry_run=dry_run)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for notice in outcome.notices:
            self.stdout.write(notice)
        if outcome.errors:
            for error in outcome.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s error(s); nothing was imported.") % {"count": len(outcome.errors)}
            )
        summary = _("%(new)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
            "new": outcome.new,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(_("Imported: %(summary)s") % {"summary": summary})
