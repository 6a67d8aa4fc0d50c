"""``manage.py notify_deadlines``: tell the streets that the quarter's returns are due soon or
overdue. Meant to run daily from cron; running it again tells nobody twice."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from returns.notifications import DEADLINE_NEAR_DAYS, notify_deadlines


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--today must be a date written YYYY-MM-DD, not “%(value)s”.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = gettext_lazy(
        "Notify the streets with returns not submitted that the quarter's deadline is near or "
        "past, each street once per quarter and kind. Run it daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help=_("The day to act as of, YYYY-MM-DD (default: today)."),
        )
        parser.add_argument(
            "--days-before",
            type=int,
            default=DEADLINE_NEAR_DAYS,
            help=_("Notify this many days before the deadline (default: %(default)s)."),
        )
        parser.add_argument("--year", type=int, help=_("The quarter's year (with --quarter)."))
        parser.add_argument(
            "--quarter", type=int, help=_("The quarter, 1 to 4 (default: the one due now).")
        )

    def handle(self, *args, **options):
        today = _date(options["today"]) if options["today"] else None
        days_before = options["days_before"]
        if days_before < 0 or days_before > 90:
            raise CommandError(_("--days-before must be between 0 and 90."))
        year, quarter = options["year"], options["quarter"]
        if (year is None) != (quarter is None):
            raise CommandError(_("Give --year and --quarter together, or neither."))
        if quarter is not None and quarter not in (1, 2, 3, 4):
            raise CommandError(_("The quarter must be 1, 2, 3 or 4."))
        if year is not None and not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise CommandError(_("Give a year between 1949 and 2100."))
        run = notify_deadlines(today=today, days_before=days_before, year=year, quarter=quarter)
        label = _("Q%(quarter)s %(year)s") % {"quarter": run.quarter, "year": run.year}
        if run.kind is None:
            self.stdout.write(
                _("%(quarter)s is due on %(date)s: not near yet, nobody notified.")
                % {"quarter": label, "date": run.due_on.isoformat()}
            )
            return
        what = _("overdue") if run.kind == "deadline_past" else _("due soon")
        self.stdout.write(
            _(
                "%(quarter)s (due %(date)s, %(what)s): %(notified)s streets notified, "
                "%(already)s notified before."
            )
            % {
                "quarter": label,
                "date": run.due_on.isoformat(),
                "what": what,
                "notified": len(run.notified),
                "already": len(run.already),
            }
        )
        for street in run.notified:
            self.stdout.write(f"  {street.name}")
