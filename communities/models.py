"""The communities register: the district, its streets, their committees, titles and centres."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scoping.rules import ScopedQuerySet
from scoping.sorting import PinyinSortKeyField

from .validators import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    validate_establishment_date,
    validate_plausible_date,
)


class District(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    # The plan for community centres (社区中心), as the bureau's planning states it: "8–10
    # centres". A range, not a yearly target; the yearly report sets the centres of the
    # register (planned, approved, built) against it.
    centres_planned_min = models.PositiveSmallIntegerField(
        _("community centres planned (at least)"), null=True, blank=True
    )
    centres_planned_max = models.PositiveSmallIntegerField(
        _("community centres planned (at most)"), null=True, blank=True
    )

    street_scope = None

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(centres_planned_min__isnull=True)
                | Q(centres_planned_max__isnull=True)
                | Q(centres_planned_max__gte=F("centres_planned_min")),
                name="district_centre_plan_ordered",
                violation_error_message=_(
                    "The most centres planned cannot be fewer than the fewest."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Street(models.Model):
    """A street office (街道办事处) of the district."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="streets"
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        error_messages={"unique": _("A street with this code already exists.")},
    )
    name = models.CharField(_("name"), max_length=50)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    street_scope = "pk"
    # The column that is its __str__: the admin's street filter (1,000 choices for a
    # district user) reads only that, not 1,000 model instances (scoping.admin_base).
    label_field = "name"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="street_unique_name_in_district",
                violation_error_message=_("This district already has a street of that name."),
            )
        ]

    def __str__(self):
        return self.name


class AreaType(models.TextChoices):
    OLD = "old", _("Consolidated old area")
    NEW = "new", _("New area")


class PlanningStandard(models.Model):
    """Households a community should have, by area type (2,400 old / 4,000 new in 2005)."""

    area_type = models.CharField(
        _("area type"), max_length=10, choices=AreaType.choices, unique=True
    )
    households = models.PositiveIntegerField(_("households per community"))

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("planning standard")
        verbose_name_plural = _("planning standards")
        ordering = ["area_type"]

    def __str__(self):
        return f"{self.get_area_type_display()}: {self.households}"


class CommitteeKind(models.TextChoices):
    URBAN = "urban", _("Residents' committee")
    VILLAGE = "village", _("Village committee acting as residents' committee")


class CommitteeStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SHARING = "sharing", _("Shares another committee's office (not revoked)")
    REVOKED = "revoked", _("Revoked")


class OneStopService(models.TextChoices):
    NONE = "none", _("Not yet")
    PILOT = "pilot", _("Pilot")
    IN_SERVICE = "in_service", _("In service")


class CommitteeQuerySet(ScopedQuerySet):
    def established_in(self, year: int):
        """Committees that existed at the end of ``year`` (established, not yet revoked)."""
        return self.existing_on(datetime.date(year, 12, 31))

    def existing_on(self, day: datetime.date):
        """Committees that existed on ``day`` (established by then, not yet revoked)."""
        return self.filter(
            Q(established_on__isnull=True) | Q(established_on__lte=day),
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
        )


class Committee(models.Model):
    """A community residents' committee (社区居委会) or a village committee acting as one."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        error_messages={"unique": _("A committee with this code already exists.")},
        help_text=_("Stable code used in imports and reports; never reused."),
    )
    name = models.CharField(_("name"), max_length=50)
    # Lists people scan by eye (the admin's list, choices, the template's drop-down) sort
    # by it; the bureau's own order (street, code) stays that of the reports.
    name_pinyin = PinyinSortKeyField(_("name in pinyin"), source="name")
    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="committees"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=CommitteeKind.choices, default=CommitteeKind.URBAN
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommitteeStatus.choices,
        default=CommitteeStatus.OPERATING,
    )
    shares_office_with = models.ForeignKey(
        "self",
        verbose_name=_("shares office with"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_guests",
        help_text=_("The committee whose office this one works from, when status says so."),
    )
    area_type = models.CharField(
        _("area type"), max_length=10, choices=AreaType.choices, default=AreaType.OLD
    )
    households = models.IntegerField(
        _("households"),
        default=0,
        validators=[MinValueValidator(0, _("Households cannot be negative."))],
    )
    population = models.IntegerField(
        _("population"),
        default=0,
        validators=[MinValueValidator(0, _("Population cannot be negative."))],
    )
    established_on = models.DateField(
        _("established on"), null=True, blank=True, validators=[validate_establishment_date]
    )
    revoked_on = models.DateField(
        _("revoked on"), null=True, blank=True, validators=[validate_plausible_date]
    )
    one_stop_service = models.CharField(
        _("one-stop service"),
        max_length=12,
        choices=OneStopService.choices,
        default=OneStopService.NONE,
    )
    one_stop_since = models.DateField(
        _("one-stop service since"), null=True, blank=True, validators=[validate_plausible_date]
    )

    street_scope = "street"

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["street__sort_order", "code"]
        indexes = [
            models.Index(fields=["street", "status"]),
            models.Index(fields=["name"]),
            models.Index(fields=["name_pinyin", "code"], name="committee_pinyin_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(households__gte=0),
                name="committee_households_not_negative",
                violation_error_message=_("Households cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(population__gte=0),
                name="committee_population_not_negative",
                violation_error_message=_("Population cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(Q(status=CommitteeStatus.SHARING) & Q(shares_office_with__isnull=False))
                | (~Q(status=CommitteeStatus.SHARING) & Q(shares_office_with__isnull=True)),
                name="committee_sharing_names_host",
                violation_error_message=_(
                    "A committee that shares an office must name the committee whose office "
                    "it shares, and only such a committee may name one."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(shares_office_with=F("pk")),
                name="committee_not_sharing_with_itself",
                violation_error_message=_("A committee cannot share its own office."),
            ),
            models.CheckConstraint(
                condition=Q(status=CommitteeStatus.REVOKED, revoked_on__isnull=False)
                | (~Q(status=CommitteeStatus.REVOKED) & Q(revoked_on__isnull=True)),
                name="committee_revoked_has_date",
                violation_error_message=_(
                    "A revoked committee needs the date it was revoked, and only a revoked one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(revoked_on__gte=F("established_on")),
                name="committee_revoked_after_established",
                violation_error_message=_("A committee cannot be revoked before it is established."),
            ),
            models.CheckConstraint(
                condition=Q(one_stop_service=OneStopService.NONE) | Q(one_stop_since__isnull=False),
                name="committee_one_stop_has_date",
                violation_error_message=_("Give the date the one-stop service started."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.check_revocation()
        host = self.shares_office_with
        if host is None:
            return
        if self.street_id and host.street_id != self.street_id:
            raise ValidationError(
                {"shares_office_with": _("The office must be shared with a committee of the same street.")}
            )
        if host.status != CommitteeStatus.OPERATING:
            raise ValidationError(
                {"shares_office_with": _("The host committee must itself be operating.")}
            )

    # Revocation and the people still in post ---------------------------------------------
    # The postings are staffing's (staffing imports communities, so this module never
    # imports staffing): they are reached through the reverse relation ``postings`` that
    # ``staffing.Posting.committee`` declares.

    #: Set (by the admin's committee form, once the user ticked the box) to end the open
    #: postings at the revocation date in the same save (:meth:`end_postings_at_revocation`)
    #: instead of refusing the revocation.
    end_postings_on_revocation = False

    def postings_open_at_revocation(self):
        """The postings still open after the committee's revocation date (no end date, or
        an end after it); none while the committee is not revoked or not yet saved."""
        if self.pk is None or self.status != CommitteeStatus.REVOKED or self.revoked_on is None:
            return self.postings.none() if self.pk else []
        return (
            self.postings.filter(Q(end_date__isnull=True) | Q(end_date__gt=self.revoked_on))
            .select_related("person", "position")
            .order_by("start_date", "pk")
        )

    def check_revocation(self):
        """A committee is not revoked while people are still in post: the postings open
        after the revocation date are listed (and ended instead, if the user confirmed:
        those that started by then; a posting that starts after it must be corrected)."""
        postings = list(self.postings_open_at_revocation())
        if self.end_postings_on_revocation:
            postings = [p for p in postings if p.start_date > self.revoked_on]
        if postings:
            raise ValidationError(
                {
                    "status": _(
                        "%(committee)s cannot be revoked on %(date)s while people are still "
                        "in post there: %(people)s. End their postings by that date first."
                    )
                    % {
                        "committee": self.name,
                        "date": self.revoked_on.isoformat(),
                        "people": people_in_post(postings),
                    }
                }
            )

    def end_postings_at_revocation(self) -> list:
        """Ends the postings open after the revocation date on that date (each with its
        history row); returns them. Called in the transaction that saves the revocation."""
        ended = []
        for posting in self.postings_open_at_revocation():
            if posting.start_date > self.revoked_on:
                continue  # check_revocation refuses these
            posting.end_date = self.revoked_on
            posting._change_reason = "committee revoked"
            posting.save(update_fields=["end_date"])
            ended.append(posting)
        return ended


PEOPLE_LISTED = 10


def people_in_post(postings) -> str:
    """'张三（主任）、李四（社会工作者）' — at most ten, then '等12人'."""
    postings = list(postings)
    names = "、".join(
        _("%(person)s (%(position)s)") % {"person": p.person.name, "position": p.position.name}
        for p in postings[:PEOPLE_LISTED]
    )
    if len(postings) > PEOPLE_LISTED:
        return _("%(names)s and others, %(count)s in all") % {
            "names": names,
            "count": len(postings),
        }
    return names


class TitleKind(models.TextChoices):
    STAR = "star", _("Star community")
    CHARACTERISTIC = "characteristic", _("Characteristic community")


class TitleField(models.TextChoices):
    SERVICE = "service", _("Community service")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture")
    SPORTS = "sports", _("Sports")
    ENVIRONMENT = "environment", _("Environment")
    SECURITY = "security", _("Public security")
    SCIENCE = "science", _("Popular science")


class Title(models.Model):
    """A title awarded to a committee, e.g. 'warm community' (温馨社区) in community service."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="titles"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TitleKind.choices)
    field = models.CharField(_("field"), max_length=20, choices=TitleField.choices)
    name = models.CharField(_("title name"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"))

    street_scope = "committee__street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["-year", "committee__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "kind", "field", "year"],
                name="title_once_per_field_and_year",
                violation_error_message=_(
                    "This committee already holds a title of that kind in that field for that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_YEAR) & Q(year__lte=LATEST_YEAR),
                name="title_year_plausible",
                violation_error_message=_("Give a year between 1949 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.committee} · {self.name} ({self.year})"


class CentreStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved for construction")
    BUILT = "built", _("Built")


class CommunityCentre(models.Model):
    """A community centre (社区中心): government service, community service, culture, shops."""

    name = models.CharField(_("name"), max_length=80)
    name_pinyin = PinyinSortKeyField(_("name in pinyin"), source="name")
    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="centres"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CentreStatus.choices, default=CentreStatus.PLANNED
    )
    status_date = models.DateField(
        _("status since"), null=True, blank=True, validators=[validate_plausible_date]
    )
    address = models.CharField(_("address"), max_length=120, blank=True)
    committees = models.ManyToManyField(
        Committee, verbose_name=_("committees served"), blank=True, related_name="centres"
    )

    street_scope = "street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community centre")
        verbose_name_plural = _("community centres")
        ordering = ["street__sort_order", "name_pinyin", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="centre_unique_name_in_street",
                violation_error_message=_("This street already has a centre of that name."),
            )
        ]

    def __str__(self):
        return self.name
