"""Import/export of the staffing registers: Chinese headers, natural keys, masked ID numbers.

- a committee is given by its code or name, a position by its name (or code), a street by
  its name;
- a person is given by ID-card number, or, when the number is empty or masked, by name and
  birth date (so that a clerk, who only ever sees masked numbers, can export, edit and
  re-import a sheet);
- ID-card numbers are exported whole to administrators only.
"""

import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from accounts.roles import Role
from communities.resources import committee_key, street_key
from imports.registry import register_file
from scoping.resources import ChoiceWidget, ScopedForeignKeyWidget, ScopedResource, YesNoWidget
from scoping.rules import scope_queryset

from .idcards import is_masked, mask_id_number, normalize
from .models import (
    Attendance,
    Education,
    ExamResult,
    Gender,
    PayBasis,
    PayComponent,
    PayComponentKind,
    PayStandard,
    Person,
    Position,
    Posting,
    Qualification,
    QualificationKind,
    Subject,
    TrainingClass,
)


def sees_id_numbers(user) -> bool:
    """Only administrators see ID-card numbers whole."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN)
    )


def id_number_for(user, number):
    return number or "" if sees_id_numbers(user) else mask_id_number(number)


def id_number_renderer(user):
    """:func:`id_number_for` with the user's right decided once (for set-based exports)."""
    if sees_id_numbers(user):
        return lambda number: number or ""
    return mask_id_number


def position_key(column_name=None, attribute="position"):
    return fields.Field(
        attribute=attribute,
        column_name=column_name or _("position"),
        widget=ScopedForeignKeyWidget(
            Position,
            "name",
            alternatives=("code",),
            listed=True,
            label=("name",),
            order_by=("sort_order", "code"),
        ),
    )


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


class PeopleIndex:
    """The people a file names, read at once (two queries): by whole ID-card number, and by
    name (for rows whose number is masked or empty), within the user's scope."""

    def __init__(self, user, pairs):
        """``pairs``: (ID-card number, name) as the file gives them, row by row."""
        people = scope_queryset(Person.objects.all(), user)
        numbers, names = set(), set()
        for number, name in pairs:
            number = normalize(number)
            if number and not is_masked(number):
                numbers.add(number)
            elif name:
                names.add(str(name).strip())
        self.by_number: dict[str, Person] = {}
        self.by_name: dict[tuple, list[Person]] = {}
        for values, lookup in ((sorted(numbers), "id_number__in"), (sorted(names), "name__in")):
            for start in range(0, len(values), 2000):
                for person in people.filter(**{lookup: values[start : start + 2000]}):
                    if lookup == "id_number__in":
                        self.by_number[person.id_number] = person
                    else:
                        self.by_name.setdefault((person.name, person.birth_date), []).append(person)


def find_person(user, *, id_number, name, birth_date, index: PeopleIndex | None = None):
    """The person in ``user``'s scope with this ID number, or this name and birth date
    (from ``index`` when the file's people were read at once)."""
    number = normalize(id_number)
    if index is None:
        people = scope_queryset(Person.objects.all(), user)
    if number and not is_masked(number):
        if index is not None:
            return index.by_number.get(number)
        return people.filter(id_number=number).first()
    born = _date(birth_date)
    if name and born:
        if index is not None:
            matches = index.by_name.get((str(name).strip(), born), [])[:2]
        else:
            matches = list(people.filter(name=str(name).strip(), birth_date=born)[:2])
        if len(matches) == 1 and (not number or mask_id_number(matches[0].id_number) == number):
            return matches[0]
        if len(matches) > 1:
            raise ValueError(
                gettext(
                    "More than one person is called %(name)s and born on %(date)s; give the ID-card number."
                )
                % {"name": name, "date": born}
            )
    return None


class PersonWidget(widgets.ForeignKeyWidget):
    """A person column holding the ID-card number; name and birth-date columns as fallback."""

    def __init__(self, name_column, birth_column, **kwargs):
        super().__init__(Person, "id_number", **kwargs)
        self.name_column, self.birth_column = name_column, birth_column

    def explain(self) -> str:
        """What the import template says of this column."""
        return gettext(
            "The person's ID-card number (18 characters). Where it is masked or not known, "
            "the person is found by the full name and birth date columns."
        )

    def reads_columns(self) -> dict:
        """The columns besides its own that this column is read with (the template keeps
        them), and what the template says of each."""
        return {
            str(self.name_column): gettext(
                "The person's name, as in the people register; with the birth date, finds "
                "the person when the ID-card number is masked or empty."
            ),
            str(self.birth_column): gettext(
                "The person's birth date, with the name (an Excel date, 2006-07-01 or "
                "2006年7月1日)."
            ),
        }

    def prefetch(self, values, *, user, rows=None) -> None:
        # The columns' headers in the importing user's language, translated once per file.
        self.name_column, self.birth_column = str(self.name_column), str(self.birth_column)
        names = [row.get(self.name_column) for row in rows or []]
        self._index = PeopleIndex(user, zip(values, names or [None] * len(values), strict=False))

    def clean(self, value, row=None, **kwargs):
        row = row or {}
        name, born = row.get(str(self.name_column)), row.get(str(self.birth_column))
        if not value and not name:
            return None
        person = find_person(
            kwargs.get("user"),
            id_number=value,
            name=name,
            birth_date=born,
            index=getattr(self, "_index", None),
        )
        if person is None:
            raise ValueError(
                gettext(
                    "No person with this ID-card number, or this name and birth date, in your scope."
                )
            )
        return person

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return id_number_for(kwargs.get("user"), value.id_number)

    def export_plan(self, attribute, **kwargs):
        """The set-based twin of :meth:`render` (see :mod:`imports.exports`): the person's
        ID-card number, read by path, whole or masked as :meth:`render` shows it."""
        return f"{attribute}__id_number", id_number_renderer(kwargs.get("user"))


NAME_COLUMN, BIRTH_COLUMN = _("full name"), _("birth date")


def person_fields():
    """Three columns naming a person: ID-card number, name, birth date."""
    return (
        fields.Field(
            attribute="person",
            column_name=_("ID-card number"),
            widget=PersonWidget(NAME_COLUMN, BIRTH_COLUMN),
        ),
        fields.Field(attribute="person__name", column_name=NAME_COLUMN, readonly=True),
        fields.Field(
            attribute="person__birth_date",
            column_name=BIRTH_COLUMN,
            widget=widgets.DateWidget(),
            readonly=True,
        ),
    )


class UserAwareResource(ScopedResource):
    """Passes the resource's user to every widget, on export as on import."""

    def export_field(self, field, instance, **kwargs):
        kwargs.setdefault("user", self.user)
        return super().export_field(field, instance, **kwargs)

    export_field.passes_user_only = True  # imports.exports' compiled plans pass the user too

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        kwargs.setdefault("user", self.user)
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    import_field.has_plan = True  # the import plans pass the user too (ScopedResource)


@register_file("positions")
class PositionResource(UserAwareResource):
    code = fields.Field(attribute="code", column_name=_("code"))
    name = fields.Field(attribute="name", column_name=_("name"))
    is_paid = fields.Field(attribute="is_paid", column_name=_("paid"), widget=YesNoWidget())
    paid_as = position_key(_("paid as"), "paid_as")
    sort_order = fields.Field(
        attribute="sort_order", column_name=_("order"), widget=widgets.IntegerWidget()
    )
    posts_per_committee = fields.Field(
        attribute="posts_per_committee",
        column_name=_("posts per committee"),
        widget=widgets.IntegerWidget(),
    )

    class Meta:
        model = Position
        import_id_fields = ("code",)
        fields = ("code", "name", "is_paid", "paid_as", "sort_order", "posts_per_committee")
        skip_unchanged = True


@register_file("pay-standards")
class PayStandardResource(UserAwareResource):
    position = position_key()
    monthly_amount = fields.Field(
        attribute="monthly_amount",
        column_name=_("monthly amount (yuan)"),
        widget=widgets.DecimalWidget(),
    )
    effective_from = fields.Field(
        attribute="effective_from", column_name=_("effective from"), widget=widgets.DateWidget()
    )
    note = fields.Field(attribute="note", column_name=_("note"))

    class Meta:
        model = PayStandard
        import_id_fields = ("position", "effective_from")
        fields = ("position", "monthly_amount", "effective_from", "note")
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("position")


@register_file("people")
class PersonResource(UserAwareResource):
    """People, keyed by ID-card number, or by name and birth date when it is masked/empty."""

    name = fields.Field(attribute="name", column_name=NAME_COLUMN)
    gender = fields.Field(
        attribute="gender", column_name=_("gender"), widget=ChoiceWidget(Gender.choices)
    )
    birth_date = fields.Field(
        attribute="birth_date", column_name=_("birth date"), widget=widgets.DateWidget()
    )
    id_number = fields.Field(attribute="id_number", column_name=_("ID-card number"))
    phone = fields.Field(attribute="phone", column_name=_("phone"))
    education = fields.Field(
        attribute="education", column_name=_("education"), widget=ChoiceWidget(Education.choices)
    )
    party_member = fields.Field(
        attribute="party_member", column_name=_("party member"), widget=YesNoWidget()
    )
    street = street_key()

    class Meta:
        model = Person
        import_id_fields = ("id_number",)
        fields = (
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "education",
            "party_member",
            "street",
        )
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("street")

    def _columns(self):
        return {
            name: str(self.fields[name].column_name) for name in ("id_number", "name", "birth_date")
        }

    def prefetch_instances(self, rows):
        columns = self._columns()
        self._people = PeopleIndex(
            self.user, ((row.get(columns["id_number"]), row.get(columns["name"])) for row in rows)
        )
        return {}

    def get_instance(self, instance_loader, row):
        columns = self._columns()
        return find_person(
            self.user,
            id_number=row.get(columns["id_number"]),
            name=row.get(columns["name"]),
            birth_date=row.get(columns["birth_date"]),
            index=getattr(self, "_people", None),
        )

    def dehydrate_id_number(self, person):
        return id_number_for(self.user, person.id_number)

    def dehydrate_id_number_plan(self):
        """The set-based twin of :meth:`dehydrate_id_number` (see :mod:`imports.exports`)."""
        return "id_number", id_number_renderer(self.user)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "id_number":
            value = normalize(row.get(str(field.column_name)))
            if is_masked(value):
                if instance.pk is None:
                    raise ValueError(
                        gettext("A new person needs the full ID-card number, not a masked one.")
                    )
                return  # a masked number in a re-imported export: keep the stored one
        super().import_field(field, instance, row, is_m2m, **kwargs)

    import_field.has_plan = True  # import_plan below does the same

    def import_plan(self, field):
        plan = super().import_plan(field)
        if field.attribute != "id_number":
            return plan
        column = str(field.column_name)

        def run(instance, row):
            if is_masked(normalize(row.get(column))):
                if instance.pk is None:
                    raise ValueError(
                        gettext("A new person needs the full ID-card number, not a masked one.")
                    )
                return  # a masked number in a re-imported export: keep the stored one
            plan(instance, row)

        return run


@register_file("postings")
class PostingResource(UserAwareResource):
    person, person_name, person_birth_date = person_fields()
    committee = committee_key()
    committee_name = fields.Field(
        attribute="committee__name", column_name=_("committee"), readonly=True
    )
    position = position_key()
    start_date = fields.Field(
        attribute="start_date", column_name=_("from"), widget=widgets.DateWidget()
    )
    end_date = fields.Field(
        attribute="end_date", column_name=_("until"), widget=widgets.DateWidget()
    )

    class Meta:
        model = Posting
        import_id_fields = ("person", "committee", "start_date")
        fields = (
            "person",
            "person_name",
            "person_birth_date",
            "committee",
            "committee_name",
            "position",
            "start_date",
            "end_date",
        )
        skip_unchanged = True
        report_skipped = True

    def get_export_order(self):
        return self._meta.fields

    def get_queryset(self):
        return super().get_queryset().select_related("person", "committee", "position")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not validate_unique:
            # The set-based import checks overlaps and the roster's street for the whole
            # file at once (file_errors), as the person's page does for its postings.
            instance.checked_with_siblings = True
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def file_errors(self, pending):
        """``Posting.clean``'s rules for all the file's postings at once (one query): no
        overlap with the person's other postings, stored or in the file, and a person's
        latest posting is at a committee of the street whose roster they are on."""
        errors = []
        people = {p.person_id for p in pending if p.person_id and p.start_date}
        own = {p.pk for p in pending if p.pk}
        stored: dict[int, list] = {}
        ids = sorted(people)
        for start in range(0, len(ids), 2000):
            rows = (
                Posting.objects.filter(person_id__in=ids[start : start + 2000])
                .exclude(pk__in=own)
                .values_list("person_id", "start_date", "end_date")
            )
            for person_id, start_date, end_date in rows:
                stored.setdefault(person_id, []).append((start_date, end_date))
        by_person: dict[int, list] = {}
        for posting in pending:
            if posting.person_id and posting.start_date:
                by_person.setdefault(posting.person_id, []).append(posting)
        far = datetime.date.max
        overlap = gettext("This person already has a posting in that period; end it first.")

        def overlaps(a_start, a_end, b_start, b_end):
            return a_start <= (b_end or far) and b_start <= (a_end or far)

        for person_id, postings in by_person.items():
            others = stored.get(person_id, [])
            for index, posting in enumerate(postings):
                clash = any(
                    overlaps(posting.start_date, posting.end_date, s, e) for s, e in others
                ) or any(
                    overlaps(posting.start_date, posting.end_date, p.start_date, p.end_date)
                    for p in postings[:index]
                )
                if clash:
                    errors.append((posting, "start_date", overlap))
                    continue
                starts = [s for s, _e in others] + [
                    p.start_date for p in postings if p is not posting
                ]
                if posting.committee_id and not any(s > posting.start_date for s in starts):
                    person = posting.person
                    if (
                        person.street_id is not None
                        and posting.committee.street_id != person.street_id
                    ):
                        errors.append(
                            (
                                posting,
                                "committee",
                                gettext(
                                    "%(person)s is on the roster of %(street)s; choose a committee "
                                    "of that street, or move the person on their own page (change "
                                    "the street and add the new posting together)."
                                )
                                % {"person": person.name, "street": person.street.name},
                            )
                        )
        return errors


@register_file("pay-components")
class PayComponentResource(UserAwareResource):
    """What the streets pay beyond the standard: a row per street, kind, position or person
    and date. A row names a position (everyone in it on the street's committees) or a
    person (the three person columns), never both."""

    street = street_key()
    kind = fields.Field(
        attribute="kind", column_name=_("kind"), widget=ChoiceWidget(PayComponentKind.choices)
    )
    position = position_key()
    person, person_name, person_birth_date = person_fields()
    basis = fields.Field(
        attribute="basis", column_name=_("frequency"), widget=ChoiceWidget(PayBasis.choices)
    )
    amount = fields.Field(
        attribute="amount", column_name=_("amount (yuan)"), widget=widgets.DecimalWidget()
    )
    effective_from = fields.Field(
        attribute="effective_from", column_name=_("effective from"), widget=widgets.DateWidget()
    )
    note = fields.Field(attribute="note", column_name=_("note"))

    class Meta:
        model = PayComponent
        import_id_fields = ("street", "kind", "position", "person", "effective_from")
        fields = (
            "street",
            "kind",
            "position",
            "person",
            "person_name",
            "person_birth_date",
            "basis",
            "amount",
            "effective_from",
            "note",
        )
        skip_unchanged = True
        report_skipped = True

    def get_export_order(self):
        return self._meta.fields

    def get_queryset(self):
        return super().get_queryset().select_related("street", "position", "person")

    KEY = ("street_id", "kind", "position_id", "person_id", "effective_from")

    def template_note(self, field):
        """The template's word on the two columns of which one is filled in."""
        either = _("One of the two (key)")
        if field.attribute == "position":
            return either, _(
                "A position, by name or code: everyone in it on the street's committees. "
                "Leave it empty for one person's pay."
            )
        if field.attribute == "person":
            return either, _(
                "The person's ID-card number (18 characters): this person only. Leave it "
                "empty for a position's pay."
            )
        return None

    def prefetch_instances(self, rows):
        """The stored rows the file's keys name (one query): by street and date, indexed by
        the whole key, an empty position or person included (``IN`` never matches NULL)."""
        wanted = [params for params in map(self.instance_params, rows) if params]
        streets = sorted({getattr(p["street"], "pk", None) for p in wanted} - {None})
        days = sorted({p["effective_from"] for p in wanted if p["effective_from"]})
        index = {}
        if streets and days:
            for component in self.get_queryset().filter(
                street_id__in=streets, effective_from__in=days
            ):
                index.setdefault(tuple(getattr(component, a) for a in self.KEY), component)
        return index

    def get_instance(self, instance_loader, row):
        params = self.instance_params(row)
        if params is None or params.get("street") is None:
            return None
        index = getattr(self, "_instances", None)
        key = tuple(getattr(value, "pk", value) for value in params.values())
        if index is not None:
            return index.get(key)
        return self.get_queryset().filter(**params).first()


@register_file("training")
class TrainingClassResource(UserAwareResource):
    title = fields.Field(attribute="title", column_name=_("class title"))
    date = fields.Field(attribute="date", column_name=_("date"), widget=widgets.DateWidget())
    hours = fields.Field(attribute="hours", column_name=_("hours"), widget=widgets.DecimalWidget())
    subject = fields.Field(
        attribute="subject", column_name=_("subject"), widget=ChoiceWidget(Subject.choices)
    )

    class Meta:
        model = TrainingClass
        import_id_fields = ("title", "date")
        fields = ("title", "date", "hours", "subject")
        skip_unchanged = True


class TrainingClassWidget(widgets.ForeignKeyWidget):
    """A class given by its title, with the class-date column to tell repeats apart."""

    def __init__(self, date_column, **kwargs):
        super().__init__(TrainingClass, "title", **kwargs)
        self.date_column = date_column

    def explain(self) -> str:
        """What the import template says of this column."""
        return gettext("The training class's title, as in the training register.")

    def reads_columns(self) -> dict:
        """The class-date column read with the title (see :meth:`PersonWidget.reads_columns`)."""
        return {
            str(self.date_column): gettext(
                "The class's date, which tells apart classes of the same title (an Excel "
                "date, 2006-07-01 or 2006年7月1日)."
            )
        }

    def prefetch(self, values, *, user, rows=None) -> None:
        self.date_column = str(self.date_column)  # translated once per file
        titles = sorted({str(value).strip() for value in values if value})
        self._classes: dict[str, list] = {}
        for training_class in TrainingClass.objects.filter(title__in=titles).order_by("pk"):
            self._classes.setdefault(training_class.title, []).append(training_class)

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        day = _date((row or {}).get(str(self.date_column)))
        cached = getattr(self, "_classes", None)
        if cached is not None:
            matches = [c for c in cached.get(str(value).strip(), []) if not day or c.date == day]
        else:
            classes = TrainingClass.objects.filter(title=str(value).strip())
            if day:
                classes = classes.filter(date=day)
            matches = list(classes[:2])
        if len(matches) != 1:
            raise ValueError(
                gettext("No single training class “%(title)s” on that date.") % {"title": value}
            )
        return matches[0]


@register_file("attendance")
class AttendanceResource(UserAwareResource):
    person, person_name, person_birth_date = person_fields()
    training_class = fields.Field(
        attribute="training_class",
        column_name=_("training class"),
        widget=TrainingClassWidget(_("class date")),
    )
    class_date = fields.Field(
        attribute="training_class__date",
        column_name=_("class date"),
        widget=widgets.DateWidget(),
        readonly=True,
    )

    class Meta:
        model = Attendance
        import_id_fields = ("training_class", "person")
        fields = ("training_class", "class_date", "person", "person_name", "person_birth_date")
        skip_unchanged = True

    def get_export_order(self):
        return self._meta.fields

    def get_queryset(self):
        return super().get_queryset().select_related("training_class", "person")


@register_file("exam-results")
class ExamResultResource(UserAwareResource):
    person, person_name, person_birth_date = person_fields()
    passed_on = fields.Field(
        attribute="passed_on", column_name=_("passed on"), widget=widgets.DateWidget()
    )
    score = fields.Field(attribute="score", column_name=_("score"), widget=widgets.DecimalWidget())
    certificate_number = fields.Field(
        attribute="certificate_number", column_name=_("certificate number")
    )

    class Meta:
        model = ExamResult
        import_id_fields = ("person", "passed_on")
        fields = (
            "person",
            "person_name",
            "person_birth_date",
            "passed_on",
            "score",
            "certificate_number",
        )
        skip_unchanged = True

    def get_export_order(self):
        return self._meta.fields

    def get_queryset(self):
        return super().get_queryset().select_related("person")


@register_file("qualifications")
class QualificationResource(UserAwareResource):
    person, person_name, person_birth_date = person_fields()
    kind = fields.Field(
        attribute="kind",
        column_name=_("qualification"),
        widget=ChoiceWidget(QualificationKind.choices),
    )
    qualified_on = fields.Field(
        attribute="qualified_on", column_name=_("qualified on"), widget=widgets.DateWidget()
    )
    valid_until = fields.Field(
        attribute="valid_until", column_name=_("valid until"), widget=widgets.DateWidget()
    )
    certificate_number = fields.Field(
        attribute="certificate_number", column_name=_("certificate number")
    )

    class Meta:
        model = Qualification
        import_id_fields = ("person", "kind", "qualified_on")
        fields = (
            "person", "person_name", "person_birth_date", "kind", "qualified_on",
            "valid_until", "certificate_number",
        )  # fmt: skip
        skip_unchanged = True

    def get_export_order(self):
        return self._meta.fields

    def get_queryset(self):
        return super().get_queryset().select_related("person")


__all__ = [
    "AttendanceResource",
    "ExamResultResource",
    "PayComponentResource",
    "QualificationResource",
    "PayStandardResource",
    "PersonResource",
    "PositionResource",
    "PostingResource",
    "TrainingClassResource",
]
