"""Demo quarterly returns (loaded by ``manage.py loaddemo``, idempotently).

- The four quarters of 2006 for every committee, approved. The fourth quarter's households
  and registered population are the register's (so the 36 urban committees report the
  brief's 85,100 households); the earlier quarters grow towards them.
- The demo's current quarter is the first of 2007: a few drafts and one returned return.
"""

import datetime
from zoneinfo import ZoneInfo

from .models import FIGURES, QuarterlyReturn, ReturnEvent, ReturnStatus

YEAR = 2006
CURRENT = (2007, 1)
TZ = ZoneInfo("Asia/Shanghai")

# Committee name → (status, households delta against the register, reason)
CURRENT_RETURNS = {
    "南湖东路社区": (ReturnStatus.DRAFT, 12, ""),
    "凤栖苑社区": (ReturnStatus.DRAFT, 5, ""),
    "沿河社区": (ReturnStatus.RETURNED, -30, "户籍人口与派出所数据不一致，请核实后重报。"),
    "滨湖社区": (ReturnStatus.DRAFT, 20, ""),
    "南苑社区": (ReturnStatus.DRAFT, 8, ""),
}


def _at(year, quarter, day_after_end, hour):
    month = 3 * quarter + 1
    year_of = year + (1 if month > 12 else 0)
    month = month - 12 if month > 12 else month
    return datetime.datetime(year_of, month, day_after_end, hour, 0, tzinfo=TZ)


def _quarter_end(year, quarter) -> datetime.date:
    month = 3 * quarter
    return datetime.date(year, month, 31 if month in (3, 12) else 30)


def figures_for(committee, index, year, quarter) -> dict:
    steps_back = 4 - quarter if year == YEAR else -quarter
    households = committee.households - 6 * steps_back
    registered = round(households * 2.83)
    return {
        "households": households,
        "registered_population": registered,
        "resident_population": round(registered * 1.06),
        "volunteers": 20 + index % 15,
        "activities": 6 + (index + quarter) % 7,
        "one_stop_cases": (40 + 5 * index + 10 * quarter)
        if committee.one_stop_service != "none"
        and committee.one_stop_since is not None
        and committee.one_stop_since <= _quarter_end(year, quarter)
        else 0,
        "note": "",
    }


def _converge(committee, year, quarter, values) -> QuarterlyReturn:
    item = QuarterlyReturn.objects.filter(committee=committee, year=year, quarter=quarter).first()
    if item is None:
        return QuarterlyReturn.objects.create(
            committee=committee, year=year, quarter=quarter, **values
        )
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if changed:
        for name in changed:
            setattr(item, name, values[name])
        item.save()
    return item


def _event(item, status_from, status_to, at, reason=""):
    ReturnEvent.objects.get_or_create(
        quarterly_return=item,
        from_status=status_from,
        to_status=status_to,
        defaults={"at": at, "reason": reason, "actor": None},
    )


def load(context):
    committees = context["committees"]
    ordered = sorted(committees.values(), key=lambda c: c.code)
    for index, committee in enumerate(ordered):
        for quarter in (1, 2, 3, 4):
            figures = figures_for(committee, index, YEAR, quarter)
            submitted = _at(YEAR, quarter, 10, 9)
            approved = _at(YEAR, quarter, 14, 15)
            item = _converge(
                committee,
                YEAR,
                quarter,
                {
                    **{name: figures[name] for name in FIGURES},
                    "note": "",
                    "comment": "",
                    "status": ReturnStatus.APPROVED,
                    "version": 3,
                    "reason": "",
                    "first_submitted_at": submitted,
                    "submitted_at": submitted,
                    "approved_at": approved,
                    "approved_figures": figures,
                },
            )
            _event(item, ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, submitted)
            _event(item, ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, approved)
    year, quarter = CURRENT
    for name, (status, delta, reason) in CURRENT_RETURNS.items():
        committee = committees[name]
        index = ordered.index(committee)
        figures = figures_for(committee, index, year, quarter)
        figures["households"] = committee.households + delta
        figures["registered_population"] = round(figures["households"] * 2.83)
        submitted = _at(year, quarter, 8, 10) if status == ReturnStatus.RETURNED else None
        item = _converge(
            committee,
            year,
            quarter,
            {
                **{n: figures[n] for n in FIGURES},
                "note": "",
                "comment": "",
                "status": status,
                "version": 3 if submitted else 1,
                "reason": reason,
                "first_submitted_at": submitted,
                "submitted_at": submitted,
                "approved_at": None,
                "approved_figures": None,
            },
        )
        if submitted:
            _event(item, ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, submitted)
            _event(
                item,
                ReturnStatus.SUBMITTED,
                ReturnStatus.RETURNED,
                _at(year, quarter, 9, 16),
                reason,
            )
    return {}
