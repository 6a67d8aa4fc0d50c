"""Staffing: positions, effective-dated pay standards, people and their postings."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.scoping import ScopedQuerySet


class Position(models.Model):
    """A post on a committee: director, deputy, social worker, party-affairs worker, volunteer.

    ``paid_as`` lets a position be paid at another's standard (the full-time party-affairs
    worker is paid as a social worker). Volunteers are counted but not paid (``is_paid``).
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    is_paid = models.BooleanField(_("paid"), default=True)
    paid_as = models.ForeignKey(
        "self",
        verbose_name=_("paid as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Pay this position at another position's standard."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def pay_position(self):
        return self.paid_as or self


class PayStandard(models.Model):
    """The monthly pay of a position from a date on; a later row supersedes it from its date."""

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="pay_standards"
    )
    monthly_amount = models.DecimalField(_("monthly amount (yuan)"), max_digits=10, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pay standard")
        verbose_name_plural = _("pay standards")
        ordering = ["position__sort_order", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "effective_from"],
                name="pay_standard_one_per_position_and_date",
                violation_error_message=_("This position already has a standard from that date."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0),
                name="pay_standard_not_negative",
                violation_error_message=_("A pay standard cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.position} {self.monthly_amount} ({self.effective_from})"

    @classmethod
    def in_force(cls, position, on: datetime.date):
        """The standard of ``position`` on date ``on`` (None if none had started)."""
        return (
            cls.objects.filter(position=position.pay_position, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class Education(models.TextChoices):
    JUNIOR = "junior", _("Junior secondary or below")
    SENIOR = "senior", _("Senior secondary / vocational")
    COLLEGE = "college", _("College (dazhuan)")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class Person(models.Model):
    """A member of a committee's staff, or a volunteer. Where they work is in ``Posting``."""

    name = models.CharField(_("name"), max_length=30)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=15, choices=Education.choices, blank=True)
    party_member = models.BooleanField(_("party member"), default=False)
    id_number = models.CharField(
        _("ID-card number"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": _("A person with this ID-card number already exists.")},
    )
    # The street whose roster this person is on: the street of their latest posting.
    street = models.ForeignKey(
        "communities.Street",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="people",
    )

    street_scope = "street"
    street_editable = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["street__sort_order", "name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name


class PostingQuerySet(ScopedQuerySet):
    def in_post_on(self, day: datetime.date):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)

    def with_months_in(self, year: int):
        """Annotate ``months``: calendar months of ``year`` in post (see staffing.periods)."""
        from .periods import months_touched, year_window

        start, end = year_window(year)
        return self.annotate(months=months_touched(window_start=start, window_end=end))

    def overlapping_year(self, year: int):
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
            start_date__lte=datetime.date(year, 12, 31),
        )


class Posting(models.Model):
    """A person in a position on a committee from a date until a date (open if still in post)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="postings"
    )
    committee = models.ForeignKey(
        "communities.Committee",
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="postings"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    street_scope = "committee__street"
    street_editable = True

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["committee__code", "position__sort_order", "start_date"]
        indexes = [
            models.Index(fields=["committee", "start_date"]),
            models.Index(fields=["position", "start_date", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="posting_ends_after_start",
                violation_error_message=_("A posting cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.committee} · {self.position}"

    def clean(self):
        super().clean()
        if self.person_id and self.start_date:
            far = datetime.date.max
            overlapping = (
                Posting.objects.filter(person_id=self.person_id)
                .exclude(pk=self.pk)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
                .filter(start_date__lte=self.end_date or far)
            )
            if overlapping.exists():
                raise ValidationError(
                    _("This person already has a posting in that period; end it first.")
                )
