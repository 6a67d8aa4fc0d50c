from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from reports.registry import REPORTS, ReportError, get_report_class
from reports.rendering import render_xlsx
from scoping.rules import SYSTEM


class Command(BaseCommand):
    help = "Write a report table as a formatted .xlsx workbook (the same one the browser gives)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="one of: " + ", ".join(r.identifier for r in REPORTS))
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int)
        parser.add_argument("--output", required=True, help="FILE.xlsx")
        parser.add_argument("--user", help="write the report as this user sees it")
        parser.add_argument("--scenario", help="budget scenario (funding report)")
        parser.add_argument(
            "--compare",
            action="store_true",
            help="add the same period last year, the change and the change in per cent",
        )

    def handle(self, *args, name, year, quarter, output, user, scenario, compare, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError(_("The output file must end in .xlsx."))
        target = Path(output)
        if not target.parent.exists():
            raise CommandError(
                _("The folder %(folder)s does not exist.") % {"folder": target.parent}
            )
        account = SYSTEM
        if user:
            account = User.objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(_("No active user “%(name)s”.") % {"name": user})
        extra = {"scenario": scenario} if scenario else {}
        if compare:
            extra["compare"] = True
        try:
            report_class = get_report_class(name)
            report = report_class(user=account, year=year, quarter=quarter, **extra)
            body = render_xlsx(report)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        target.write_bytes(body)
        self.stdout.write(_("Wrote %(path)s.") % {"path": target})
