"""A work target (工作目标): a figure to reach by the end of a year, for the whole district
(no street) or for one street, on one of the indicators of :mod:`targets.indicators`."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scoping.rules import ScopedQuerySet

from .indicators import indicator_choices

YEAR_BOUNDS = (1990, 2100)


class Target(models.Model):
    indicator = models.CharField(_("indicator"), max_length=30, choices=indicator_choices())
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[
            MinValueValidator(YEAR_BOUNDS[0], _("Give a year between 1990 and 2100.")),
            MaxValueValidator(YEAR_BOUNDS[1], _("Give a year between 1990 and 2100.")),
        ],
    )
    street = models.ForeignKey(
        "communities.Street",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text=_("Leave blank for a target of the whole district."),
    )
    target = models.PositiveIntegerField(
        _("target"), help_text=_("The figure to reach by the end of the year.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    # A street's staff read their street's targets; the district's are the bureau's.
    street_scope = "street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work target")
        verbose_name_plural = _("work targets")
        ordering = ["-year", "street__sort_order", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "street"],
                condition=Q(street__isnull=False),
                name="target_once_per_street",
                violation_error_message=_(
                    "This street already has a target on that indicator for that year."
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(street__isnull=True),
                name="target_once_for_district",
                violation_error_message=_(
                    "The district already has a target on that indicator for that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_BOUNDS[0]) & Q(year__lte=YEAR_BOUNDS[1]),
                name="target_year_plausible",
                violation_error_message=_("Give a year between 1990 and 2100."),
            ),
        ]

    def __str__(self):
        scope = self.street.name if self.street_id else _("the whole district")
        return f"{self.year} · {scope} · {self.get_indicator_display()}"
