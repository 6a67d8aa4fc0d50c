"""Quarterly returns: what each committee reports every quarter, the rules, the deadlines.

A :class:`QuarterlyReturn` is one committee's figures for one (year, quarter). Street staff
enter them on one page per street and quarter, submit them; a district clerk approves them or
sends them back with a reason. Approved returns are locked until an administrator reopens
them. Every transition goes through :mod:`returns.workflow`, which writes a
:class:`ReturnEvent`.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from scoping.rules import ScopedQuerySet

from .figures import FIGURES, Severity  # noqa: F401 - part of this module's names

# The figures a street types every quarter (the note is free text, kept apart).

QUARTER_VALIDATORS = [
    MinValueValidator(1, _("The quarter must be 1, 2, 3 or 4.")),
    MaxValueValidator(4, _("The quarter must be 1, 2, 3 or 4.")),
]
# A figure is a count: never negative, and no larger than an integer column holds on every
# database Django supports (models.IntegerField: -2147483648 to 2147483647). A bigger number
# typed in the grid would otherwise reach the database and fail there (a server error).
FIGURE_MAX = 2_147_483_647
FIGURE_VALIDATORS = [
    MinValueValidator(0, _("A figure cannot be negative.")),
    MaxValueValidator(
        FIGURE_MAX,
        _("A figure can be at most %(limit_value)s, the most the database holds."),
    ),
]
YEAR_VALIDATORS = [
    MinValueValidator(EARLIEST_YEAR, _("Give a year between 1949 and 2100.")),
    MaxValueValidator(LATEST_YEAR, _("Give a year between 1949 and 2100.")),
]


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of a quarter."""
    first = datetime.date(int(year), 3 * int(quarter) - 2, 1)
    if quarter == 4:
        last = datetime.date(int(year), 12, 31)
    else:
        last = datetime.date(int(year), 3 * int(quarter) + 1, 1) - datetime.timedelta(days=1)
    return first, last


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


EDITABLE_STATUSES = (ReturnStatus.DRAFT, ReturnStatus.RETURNED)


class QuarterlyReturnQuerySet(ScopedQuerySet):
    def for_quarter(self, year: int, quarter: int):
        return self.filter(year=year, quarter=quarter)


class QuarterlyReturn(models.Model):
    """One committee's figures for one quarter (社区居委会季度报表)."""

    committee = models.ForeignKey(
        "communities.Committee",
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="quarterly_returns",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    households = models.IntegerField(
        _("households"), null=True, blank=True, validators=FIGURE_VALIDATORS
    )
    registered_population = models.IntegerField(
        _("registered population"), null=True, blank=True, validators=FIGURE_VALIDATORS
    )
    resident_population = models.IntegerField(
        _("resident population"), null=True, blank=True, validators=FIGURE_VALIDATORS
    )
    volunteers = models.IntegerField(
        _("volunteers"),
        null=True,
        blank=True,
        validators=FIGURE_VALIDATORS,
        help_text=_(
            "Every volunteer the committee has registered, not only those holding a "
            "volunteer post on the staff roster."
        ),
    )
    activities = models.IntegerField(
        _("activities held"), null=True, blank=True, validators=FIGURE_VALIDATORS
    )
    one_stop_cases = models.IntegerField(
        _("one-stop service cases"), null=True, blank=True, validators=FIGURE_VALIDATORS
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    comment = models.CharField(
        _("comment on warnings"),
        max_length=300,
        blank=True,
        help_text=_("Explains figures that raise a warning; required before submitting them."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Goes up with every change; a save based on an older version is refused."),
    )
    reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("Why the return was last sent back or reopened."),
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_figures = models.JSONField(
        _("figures as last approved"),
        null=True,
        blank=True,
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    street_scope = "committee__street"
    street_editable = True
    clerk_permissions = ("approve_quarterlyreturn", "return_quarterlyreturn")
    street_permissions = ("submit_quarterlyreturn",)

    objects = QuarterlyReturnQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly return")
        verbose_name_plural = _("quarterly returns")
        ordering = ["-year", "-quarter", "committee__street__sort_order", "committee__code"]
        permissions = [
            ("submit_quarterlyreturn", _("Can submit quarterly returns")),
            ("approve_quarterlyreturn", _("Can approve quarterly returns")),
            ("return_quarterlyreturn", _("Can send quarterly returns back")),
            ("reopen_quarterlyreturn", _("Can reopen approved quarterly returns")),
        ]
        indexes = [models.Index(fields=["year", "quarter", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "quarter"],
                name="return_once_per_committee_and_quarter",
                violation_error_message=_("This committee already has a return for that quarter."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4),
                name="return_quarter_1_to_4",
                violation_error_message=_("The quarter must be 1, 2, 3 or 4."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.APPROVED) | Q(approved_at__isnull=False),
                name="return_approved_has_date",
                violation_error_message=_("An approved return needs the date of approval."),
            ),
        ]

    def __str__(self):
        return _("%(committee)s, Q%(quarter)s %(year)s") % {
            "committee": self.committee,
            "quarter": self.quarter,
            "year": self.year,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def current_reason(self) -> str:
        """The reason that goes with the return's present status: why it was sent back
        (returned) or reopened (a draft again); none once it is submitted or approved, so
        an old send-back reason is not shown beside a resubmitted return. (``reason`` keeps
        the last one; every reason stays in the return's events.)"""
        return self.reason if self.status in EDITABLE_STATUSES else ""

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES} | {"note": self.note}

    @property
    def changed_since_approval(self) -> bool:
        """Approved once, reopened since, and the figures now differ from the approved ones."""
        if self.approved_figures is None or self.status == ReturnStatus.APPROVED:
            return False
        return self.figures() != self.approved_figures

    def changes_since_approval(self) -> list[dict]:
        """What differs from the figures as last approved (recorded by the workflow at
        approval, ``approved_figures``), in the order of the form: one ``{"name", "label",
        "approved", "now"}`` per figure (and the note). Empty unless
        :attr:`changed_since_approval`."""
        if not self.changed_since_approval:
            return []
        now = self.figures()
        return [
            {
                "name": name,
                "label": self._meta.get_field(name).verbose_name,
                "approved": self.approved_figures.get(name),
                "now": now[name],
            }
            for name in (*FIGURES, "note")
            if self.approved_figures.get(name, "" if name == "note" else None) != now[name]
        ]


class ReturnEvent(models.Model):
    """One transition of a return: who, when, from which status to which, and why."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn,
        verbose_name=_("quarterly return"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=10, choices=ReturnStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=ReturnStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    street_scope = "quarterly_return__committee__street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.quarterly_return} · {self.get_from_status_display()} → {self.get_to_status_display()}"


class ValidationRule(models.Model):
    """A check on a return, kept as data: an expression that must hold for the figures.

    The expression may use the return's figures (``households``, ``registered_population``,
    ``resident_population``, ``volunteers``, ``activities``, ``one_stop_cases``), last
    quarter's value of each as ``prev_<figure>``, numbers, ``+ - * /``, comparisons, ``and``/``or``/``not``, ``abs()`` and parentheses. A
    rule whose figures are not all known (no last quarter, say) is not applied.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    expression = models.CharField(
        _("expression"),
        max_length=300,
        help_text=_("A condition that must hold, e.g. households <= registered_population."),
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.ERROR
    )
    message = models.CharField(_("message"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from .rules import ExpressionError, compile_expression

        try:
            compile_expression(self.expression)
        except ExpressionError as exc:
            raise ValidationError({"expression": str(exc)}) from exc


class QuarterDeadline(models.Model):
    """The date a quarter's returns are due, when it is not the default (quarter end + 15 days)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    due_on = models.DateField(_("due on"))

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarter deadline")
        verbose_name_plural = _("quarter deadlines")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="deadline_once_per_quarter",
                violation_error_message=_("That quarter already has a deadline."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4),
                name="deadline_quarter_1_to_4",
                violation_error_message=_("The quarter must be 1, 2, 3 or 4."),
            ),
        ]

    def __str__(self):
        return _("Q%(quarter)s %(year)s: due %(date)s") % {
            "quarter": self.quarter,
            "year": self.year,
            "date": self.due_on,
        }

    def clean(self):
        super().clean()
        if self.quarter in (1, 2, 3, 4) and self.year and self.due_on:
            _first, last = quarter_bounds(self.year, self.quarter)
            if self.due_on <= last:
                raise ValidationError(
                    {"due_on": _("The deadline must fall after the quarter ends.")}
                )


def quarter_deadline(*, year: int, quarter: int) -> datetime.date:
    """The due date of a quarter's returns: the recorded one, or quarter end + 15 days."""
    recorded = QuarterDeadline.objects.filter(year=year, quarter=quarter).first()
    if recorded is not None:
        return recorded.due_on
    return default_deadline(year=year, quarter=quarter)


def period_due(today: datetime.date) -> tuple[int, int]:
    """The quarter whose returns are due now (or overdue): the last one that has ended."""
    return previous_quarter(today.year, (today.month - 1) // 3 + 1)


def default_deadline(*, year: int, quarter: int) -> datetime.date:
    """The ministry's rule: quarterly returns are due within 15 days after the quarter ends."""
    _first, last = quarter_bounds(year, quarter)
    return last + datetime.timedelta(days=15)
