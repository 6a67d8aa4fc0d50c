"""Staffing: positions, effective-dated pay standards, people and their postings."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.effective import EffectiveDated, one_per_date
from scoping.rules import ScopedQuerySet
from scoping.sorting import PinyinSortKeyField

from .idcards import birth_date_of, gender_of, mask_id_number, normalize, validate_id_number


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
    posts_per_committee = models.PositiveSmallIntegerField(
        _("posts per committee"),
        null=True,
        blank=True,
        help_text=_(
            "How many of this position every operating committee should have (one director, "
            "one deputy...); empty when there is no fixed number. Posts not filled are "
            "vacancies in the yearly report."
        ),
    )

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


class PayStandard(EffectiveDated):
    """The monthly pay of a position from a date on; a later row supersedes it from its date."""

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="pay_standards"
    )
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), max_digits=10, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta(EffectiveDated.Meta):
        verbose_name = _("pay standard")
        verbose_name_plural = _("pay standards")
        ordering = ["position__sort_order", "-effective_from"]
        constraints = [
            one_per_date(
                "position", message=_("This position already has a standard from that date.")
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
        """The standard of ``position`` on date ``on`` (None if none had started): the one the
        budget pays ``on``'s month under (``communities.effective``)."""
        return cls.objects.filter(position=position.pay_position).latest_in_force(on)


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
    name_pinyin = PinyinSortKeyField(_("full name in pinyin"), source="name")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(
        _("education"), max_length=15, choices=Education.choices, blank=True
    )
    party_member = models.BooleanField(_("party member"), default=False)
    id_number = models.CharField(
        _("ID-card number"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_id_number],
        error_messages={"unique": _("A person with this ID-card number already exists.")},
        help_text=_("18 characters; the last is a check digit (0-9 or X)."),
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
        ordering = ["street__sort_order", "name_pinyin", "pk"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["name_pinyin", "id"], name="person_pinyin_order"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = normalize(self.id_number) or None
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def normalise_fields(self):
        self.id_number = normalize(self.id_number) or None

    def clean_fields(self, exclude=None):
        self.normalise_fields()
        super().clean_fields(exclude)

    clean_fields.prepared_by = "normalise_fields"  # scoping.resources.full_clean_compiled

    def clean(self):
        super().clean()
        errors = {}
        number = self.id_number
        if number and len(number) == 18:
            born = birth_date_of(number)
            if born and self.birth_date and born != self.birth_date:
                errors["birth_date"] = _("The birth date does not match the ID-card number.")
            if self.gender and number[16].isdigit() and gender_of(number) != self.gender:
                errors["gender"] = _("The gender does not match the ID-card number.")
        # The person's street is the street of their latest posting. The admin's person page
        # checks this against the postings being edited with it (see staffing.admin).
        if self.pk and self.street_id and not getattr(self, "skip_posting_street_check", False):
            latest = latest_posting(Posting.objects.filter(person_id=self.pk))
            if latest is not None and latest.committee.street_id != self.street_id:
                errors["street"] = street_mismatch_message(latest.committee)
        if errors:
            raise ValidationError(errors)


def street_mismatch_message(committee):
    return _(
        "A person is on the roster of the street of their latest posting; "
        "%(committee)s belongs to %(street)s."
    ) % {"committee": committee.name, "street": committee.street.name}


def latest_posting(postings):
    """The posting that started last (open-ended ones first on a tie), or None."""
    return (
        postings.select_related("committee__street")
        .order_by("-start_date", F("end_date").desc(nulls_first=True))
        .first()
    )


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
            models.Index(fields=["start_date"]),
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
        # A page that edits several postings of a person at once (the person's page) checks
        # overlaps and the street against all of them together, and sets this flag.
        self.check_committee_revocation()
        if getattr(self, "checked_with_siblings", False):
            return
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
        if self.person_id and self.committee_id and self.start_date:
            later = Posting.objects.filter(person_id=self.person_id, start_date__gt=self.start_date)
            if not later.exclude(pk=self.pk).exists():
                # This is (or becomes) the person's latest posting: it decides their street.
                person_street = self.person.street_id
                if person_street is not None and self.committee.street_id != person_street:
                    raise ValidationError(
                        {
                            "committee": _(
                                "%(person)s is on the roster of %(street)s; choose a committee "
                                "of that street, or move the person on their own page (change "
                                "the street and add the new posting together)."
                            )
                            % {"person": self.person.name, "street": self.person.street.name}
                        }
                    )

    def check_committee_revocation(self):
        """No one is in post on a revoked committee after its revocation date (the other
        side of ``Committee.check_revocation``)."""
        committee = self.committee if self.committee_id else None
        revoked_on = getattr(committee, "revoked_on", None)
        if revoked_on is None or self.start_date is None:
            return
        if self.start_date > revoked_on:
            raise ValidationError(
                {
                    "start_date": _(
                        "%(committee)s was revoked on %(date)s; no posting there can start "
                        "after that."
                    )
                    % {"committee": committee.name, "date": revoked_on.isoformat()}
                }
            )
        if self.end_date is None or self.end_date > revoked_on:
            raise ValidationError(
                {
                    "end_date": _(
                        "%(committee)s was revoked on %(date)s; a posting there ends by then."
                    )
                    % {"committee": committee.name, "date": revoked_on.isoformat()}
                }
            )


class Subject(models.TextChoices):
    INFORMATION = "information", _("Information systems and computer skills")
    SOCIAL_WORK = "social_work", _("Social work")
    PARTY = "party", _("Party affairs")
    POLICY = "policy", _("Policies and regulations")
    SERVICE = "service", _("Community services")
    OTHER = "other", _("Other")


class TrainingClass(models.Model):
    """A training class the bureau (or a street) runs for committee staff."""

    title = models.CharField(_("class title"), max_length=100)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    subject = models.CharField(
        _("subject"), max_length=20, choices=Subject.choices, default=Subject.OTHER
    )

    # Classes are district-wide: every street sees them; attendance carries the street.
    street_scope = None

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "date"],
                name="training_class_unique_title_and_date",
                violation_error_message=_("A class with this title on this date already exists."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="training_class_hours_not_negative",
                violation_error_message=_("Hours cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.date})"


class Attendance(models.Model):
    """One person at one class: one trainee-time (参训人次)."""

    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("training class"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="attendances"
    )

    street_scope = "person__street"
    street_editable = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["-training_class__date", "person__name_pinyin"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "person"],
                name="attendance_once_per_class",
                violation_error_message=_("This person is already recorded at this class."),
            )
        ]
        indexes = [models.Index(fields=["person", "training_class"])]

    def __str__(self):
        return f"{self.person} · {self.training_class}"


class ExamResult(models.Model):
    """A pass of the skills exam (技能考试), a higher examination than the IT operator's
    qualification (:class:`Qualification`), which is recorded on its own."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="exam_results"
    )
    passed_on = models.DateField(_("passed on"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)

    street_scope = "person__street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        ordering = ["-passed_on", "person__name_pinyin"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "passed_on"],
                name="exam_result_once_per_day",
                violation_error_message=_("This pass is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="exam_result_score_0_to_100",
                violation_error_message=_("A score is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.passed_on})"


class PayComponentKind(models.TextChoices):
    STREET_ALLOWANCE = "street_allowance", _("Street allowance")
    BONUS = "bonus", _("Bonus")
    SUBSIDY = "subsidy", _("Other subsidy")


class PayBasis(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    YEARLY = "yearly", _("yearly")


class PayComponent(EffectiveDated):
    """What a street pays its committees' staff beyond the pay standard (街道补贴, 奖金,
    补贴), from a date on: for every posting of a position on the street's committees, or
    for one person's postings there. A later row of the same street, kind and position (or
    person) supersedes it from its date (an amount of 0 ends it). A yearly amount counts one
    twelfth per month in post. Income as received (``staffing.income``) adds these to the
    standard; the funding formula (budgets) never does.
    """

    street = models.ForeignKey(
        "communities.Street",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="pay_components",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PayComponentKind.choices)
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pay_components",
        help_text=_("Paid to everyone in this position on the street's committees."),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pay_components",
        help_text=_("Or paid to this person only (leave the position empty)."),
    )
    basis = models.CharField(
        _("frequency"), max_length=10, choices=PayBasis.choices, default=PayBasis.MONTHLY
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    street_scope = "street"
    street_editable = True
    is_standard = False

    class Meta(EffectiveDated.Meta):
        verbose_name = _("additional pay")
        verbose_name_plural = _("additional pay")
        ordering = ["street__sort_order", "kind", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=False, person__isnull=True)
                | Q(position__isnull=True, person__isnull=False),
                name="pay_component_position_or_person",
                violation_error_message=_("Give either a position or a person, not both."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="pay_component_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["street", "kind", "position", "effective_from"],
                condition=Q(person__isnull=True),
                name="pay_component_one_per_position_and_date",
                violation_error_message=_(
                    "This street already has this kind of pay for that position from that date."
                ),
            ),
            models.UniqueConstraint(
                fields=["street", "kind", "person", "effective_from"],
                condition=Q(position__isnull=True),
                name="pay_component_one_per_person_and_date",
                violation_error_message=_(
                    "This street already has this kind of pay for that person from that date."
                ),
            ),
        ]
        indexes = [models.Index(fields=["street", "effective_from"])]

    def __str__(self):
        who = self.position if self.position_id else self.person
        return f"{self.get_kind_display()} · {who} · {self.amount} ({self.effective_from})"

    def clean(self):
        super().clean()
        errors = {}
        position = self.position if self.position_id else None
        if position is not None and not position.is_paid:
            errors["position"] = _(
                "%(position)s is an unpaid position; additional pay is for paid staff."
            ) % {"position": position.name}
        # A person's pay is entered by the street whose roster they are on (checked when
        # the row is made: someone who later moves keeps the rows of their old street).
        person = self.person if self.person_id else None
        if (
            person is not None
            and self._state.adding
            and self.street_id
            and person.street_id != self.street_id
        ):
            errors["person"] = _(
                "%(person)s is on the roster of %(street)s, not of this street."
            ) % {"person": person.name, "street": person.street.name}
        if errors:
            raise ValidationError(errors)


class QualificationKind(models.TextChoices):
    IT_OPERATOR = "it_operator", _("Information system operator")


class Qualification(models.Model):
    """A qualification a person holds from a date (until a date, if it lapses): the
    certificate to operate the community information system (持证上岗), recorded as such. It is
    not the skills exam (:class:`ExamResult`), which is a separate, higher examination."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(
        _("qualification"),
        max_length=20,
        choices=QualificationKind.choices,
        default=QualificationKind.IT_OPERATOR,
    )
    qualified_on = models.DateField(_("qualified on"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty if it does not lapse.")
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)

    street_scope = "person__street"
    street_editable = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-qualified_on", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "qualified_on"],
                name="qualification_once_per_day",
                violation_error_message=_("This qualification is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("qualified_on")),
                name="qualification_lapses_after_it_starts",
                violation_error_message=_("A qualification cannot lapse before it is obtained."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()} ({self.qualified_on})"
