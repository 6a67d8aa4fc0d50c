"""Bounds of the dates people type into the registers (issue 13: 9999-12-31 was accepted as a
committee's establishment date). Model validators, so the admin, the imports and every other
path share them.

- An establishment date is in the past: not before the founding of the People's Republic
  (1949-10-01; the earliest residents' committees date from 1954) and not after today.
- Other dates may be planned (a revocation decided ahead, a centre due to open): only the
  absurd is refused, a year before 1900 or after 2100.
- A year a record is kept for (a return's, a title's, an allocation's, a budget's) lies
  between ``EARLIEST_YEAR`` (1949, the founding of the People's Republic) and
  ``LATEST_YEAR``; every model, form, view and command takes its bounds from here.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_ESTABLISHMENT = datetime.date(1949, 10, 1)
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
EARLIEST_YEAR = EARLIEST_ESTABLISHMENT.year
LATEST_YEAR = LATEST_DATE.year


def validate_establishment_date(value):
    today = timezone.localdate()
    if value is not None and not EARLIEST_ESTABLISHMENT <= value <= today:
        raise ValidationError(
            _("An establishment date lies between %(earliest)s and today (%(today)s)."),
            code="establishment_date",
            params={"earliest": EARLIEST_ESTABLISHMENT.isoformat(), "today": today.isoformat()},
        )


def validate_plausible_date(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            code="implausible_date",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
