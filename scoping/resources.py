"""django-import-export plumbing shared by every register.

- ``ScopedResource``: the resource base. It is given the importing user (by the admin and by
  ``importxlsx``); foreign keys resolve only among rows the user may see, existing rows are
  found only within the user's scope, and a row that would land outside it is invalid, with
  the column and the reason, so the whole file is refused.
- ``ScopedForeignKeyWidget``: a foreign key given by a natural key (a committee's code or
  name, a street's name), looked up within the user's scope; or as the import template's
  drop-down offers it, name and code together (南湖东路社区（320105001001）).
- ``YesNoWidget``: a yes/no column written 是/否 and read as 是/否, yes/no, 1/0, √/×;
  ``ScopedResource`` puts it in place of django-import-export's ``BooleanWidget``.
- ``ChoiceWidget``: a choice field written and read as its Chinese label (or its code).
- ``DateWidget``: a date given as an Excel date, an Excel serial number, or text such as
  2006-07-01, 2006/7/1, 2006.7.1, 20060701 or 2006年7月1日. ``ScopedResource`` puts it in
  place of django-import-export's own ``DateWidget`` on every resource, so every register
  reads dates the same way.

On export, ``ScopedResource`` passes every value through :func:`scoping.spreadsheets.safe_text`
so that no text a user typed (a committee called "=1+1") runs as a formula in Excel, WPS or
LibreOffice, whichever format the admin writes.
"""

import datetime
import decimal
import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import resources, widgets
from import_export.fields import NOT_PROVIDED

from scoping.bulk import relation_fields
from scoping.rules import in_scope, scope_queryset
from scoping.spreadsheets import safe_text

EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y年%m月%d号")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value) -> datetime.date | None:
    """A date from whatever a spreadsheet cell holds; ``None`` for an empty cell.

    Raises ``ValueError`` with a message for people when the value is no date.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        serial = float(value)
        if 1 <= serial < 2958466 and serial == int(serial):  # Excel's 1900 date system
            return EXCEL_EPOCH + datetime.timedelta(days=int(serial))
        raise ValueError(_("“%(value)s” is not a date.") % {"value": value})
    text = str(value).strip()
    if not text:
        return None
    text = _TIME_TAIL.sub("", text).replace(" ", "")
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    if text.isdigit() and len(text) <= 6:  # a serial number that came through CSV as text
        return parse_date(int(text))
    raise ValueError(
        _("“%(value)s” is not a date; write it like 2006-07-01 or 2006年7月1日.") % {"value": value}
    )


class DateWidget(widgets.DateWidget):
    """A date read from Excel dates, serial numbers or Chinese and ISO text; written ISO."""

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        if not value or not isinstance(value, datetime.date):
            return ""
        return value.isoformat()


def _number_error(widget, value) -> str | None:
    """A message for people when a stock number widget could not read ``value``."""
    if isinstance(widget, widgets.IntegerWidget):
        return _("“%(value)s” is not a whole number.") % {"value": value}
    if isinstance(widget, widgets.NumberWidget):
        return _("“%(value)s” is not a number.") % {"value": value}
    return None


# An option of a template's drop-down: the name, then the code in brackets (full-width as
# the template writes them, or half-width as people may type them).
_OPTION = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<code>[^（）()]+?)\s*[）)]$")


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks a related row up by one of several natural-key fields, within the user's scope.

    With ``listed``, the import template offers the user's rows as a drop-down list in this
    column, each as :meth:`option_label` writes it: the row's ``label`` fields, the name
    then the code in brackets (南湖东路社区（320105001001）), in ``order_by`` order. The
    import reads such an option back (the code finds the row, the name must be its name),
    as well as each key field on its own.
    """

    def __init__(
        self,
        model,
        field="pk",
        *,
        alternatives=(),
        listed=False,
        label=("name", "code"),
        order_by=None,
        **kwargs,
    ):
        super().__init__(model, field=field, **kwargs)
        self.alternatives = tuple(alternatives)
        self.listed = listed
        self.label = tuple(label)
        self.order_by = tuple(order_by or ())

    # The template's drop-down ---------------------------------------------------------------

    def option_label(self, obj) -> str:
        """How the drop-down offers ``obj``: 南湖东路社区（320105001001）, or its name."""
        if obj is None:
            return ""
        name = str(getattr(obj, self.label[0], "") or "")
        if len(self.label) > 1:
            code = str(getattr(obj, self.label[1], "") or "")
            if code:
                return f"{name}（{code}）"
        return name

    def options(self, user) -> list[str]:
        """The drop-down's options: every row of ``model`` in ``user``'s scope."""
        queryset = scope_queryset(self.model._default_manager.all(), user)
        if self.order_by:
            queryset = queryset.order_by(*self.order_by)
        return [self.option_label(obj) for obj in queryset.only(*self.label)]

    def key_names(self) -> list[str]:
        """The key fields a cell may hold, by their names for people (代码, 名称...)."""
        names = []
        for name in (self.field, *self.alternatives):
            try:
                names.append(str(self.model._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:  # a path: shown as it is
                names.append(name)
        return names

    def _option(self, text):
        """(name, code) of a drop-down option, or None when ``text`` is not one."""
        if len(self.label) < 2:
            return None
        match = _OPTION.match(text)
        if match is None or not match["name"]:
            return None
        return match["name"].strip(), match["code"].strip()

    def _option_answer(self, text, name, obj):
        if obj is None:
            return self._missing(text)
        if str(getattr(obj, self.label[0], "")) != name:
            return ValueError(
                _("“%(value)s”: the %(model)s with the code %(code)s is %(name)s.")
                % {
                    "value": text,
                    "model": self.model._meta.verbose_name,
                    "code": getattr(obj, self.label[1]),
                    "name": getattr(obj, self.label[0]),
                }
            )
        return obj

    def get_queryset(self, value, row, *args, **kwargs):
        return scope_queryset(self.model._default_manager.all(), kwargs.get("user"))

    @staticmethod
    def key_text(value) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def prefetch(self, values, *, user, rows=None) -> None:
        """Looks every value of a column up at once (one query per key field), so that
        :meth:`clean` answers each row from memory with the same result as its own query."""
        texts = {self.key_text(v) for v in values if v is not None and str(v).strip() != ""}
        queryset = scope_queryset(self.model._default_manager.all(), user)
        found: dict[str, object] = {}
        for field in (self.field, *self.alternatives):
            remaining = sorted(texts - set(found))
            if not remaining:
                break
            matches: dict[str, list] = {}
            for start in range(0, len(remaining), 2000):
                chunk = remaining[start : start + 2000]
                for obj in queryset.filter(**{f"{field}__in": chunk}):
                    matches.setdefault(str(getattr(obj, field)), []).append(obj)
            for text, objs in matches.items():
                if text in texts:
                    found[text] = objs[0] if len(objs) == 1 else self._ambiguous(text)
        options = {t: o for t in texts - set(found) if (o := self._option(t)) is not None}
        if options:  # the drop-down's "name（code）": one more query, by code
            codes = sorted({code for _name, code in options.values()})
            by_code = {}
            for start in range(0, len(codes), 2000):
                chunk = codes[start : start + 2000]
                for obj in queryset.filter(**{f"{self.label[1]}__in": chunk}):
                    by_code[str(getattr(obj, self.label[1]))] = obj
            for text, (name, code) in options.items():
                if code in by_code:
                    found[text] = self._option_answer(text, name, by_code[code])
        self._cache = {text: found.get(text) or self._missing(text) for text in texts}
        self._not_found = texts - set(found)

    def offer(self, instance) -> None:
        """A new row of the file being imported, which later rows of the same file may name
        (a committee sharing the office of a committee created a few rows above)."""
        if not isinstance(instance, self.model) or getattr(self, "_not_found", None) is None:
            return
        for field in (self.field, *self.alternatives):
            text = str(getattr(instance, field, "") or "").strip()
            if text in self._not_found:
                self._cache[text] = instance
                self._not_found.discard(text)

    def _ambiguous(self, text):
        return ValueError(
            _("“%(value)s” matches more than one %(model)s; use the code.")
            % {"value": text, "model": self.model._meta.verbose_name}
        )

    def _missing(self, text):
        return ValueError(
            _("No %(model)s “%(value)s” (or it is outside your scope).")
            % {"value": text, "model": self.model._meta.verbose_name}
        )

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        text = self.key_text(value)
        cache = getattr(self, "_cache", None)
        if cache is not None and text in cache:
            answer = cache[text]
            if isinstance(answer, ValueError):
                raise ValueError(*answer.args)
            return answer
        queryset = self.get_queryset(value, row, **kwargs)
        for field in (self.field, *self.alternatives):
            matches = list(queryset.filter(**{field: text})[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise self._ambiguous(text)
        option = self._option(text)
        if option is not None:
            name, code = option
            answer = self._option_answer(
                text, name, queryset.filter(**{self.label[1]: code}).first()
            )
            if isinstance(answer, ValueError):
                raise answer
            return answer
        raise self._missing(text)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.field, "") if self.field != "pk" else value.pk


def _assigner(model, attribute):
    """How a plan sets ``attribute`` on a row: ``setattr``, except for a foreign key given a
    saved row of its model, which is set as Django's descriptor would set it (the key's
    column, the related row cached) without the descriptor's checks per cell, which only
    matter for other values (``None``, an unsaved row, another model, a second database)."""
    try:
        field = model._meta.get_field(attribute) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if (
        field is None
        or not field.many_to_one
        or field.name != attribute
        or len(field.foreign_related_fields) != 1
    ):
        return lambda instance, value: setattr(instance, attribute, value)
    remote, attname = field.remote_field.model, field.attname
    target = field.target_field.attname
    cache = field.set_cached_value

    def assign(instance, value):
        if type(value) is remote and value.pk is not None and value._state.db == "default":
            instance.__dict__[attname] = getattr(value, target)
            cache(instance, value)
        else:
            setattr(instance, attribute, value)

    return assign


class ChoiceWidget(widgets.Widget):
    """Exports a choice as its (translated) label; imports the label or the stored code."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)

    def clean(self, value, row=None, **kwargs):
        return self.planned_clean()(value, row=row, **kwargs)

    def planned_clean(self):
        """:meth:`clean` for the current language, its labels translated once: what an
        import plan calls per cell (:meth:`ScopedResource.import_plan`)."""
        language = translation.get_language()
        if getattr(self, "_lookup_language", None) != language:  # labels translated once
            lookup = {}
            for code, label in reversed(self.choices):
                lookup[str(label)] = code
            for code, _label in reversed(self.choices):
                lookup[str(code)] = code
            self._lookup, self._lookup_language = lookup, language
        lookup, choices = self._lookup, self.choices

        def clean(value, row=None, **kwargs):
            if value is None:
                return ""
            text = str(value).strip()
            if text == "":
                return ""
            if text in lookup:
                return lookup[text]
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text, "choices": "、".join(str(label) for _c, label in choices)}
            )

        return clean

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.BooleanWidget):
    """A yes/no column written 是/否 and read as 是/否, yes/no, 1/0, true/false or √/×."""

    YES = ("是", "yes", "y", "1", "true", "√", "✓")
    NO = ("否", "no", "n", "0", "false", "×", "")

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("Write 是 or 否 (yes or no)."))

    def render(self, value, obj=None, **kwargs):
        return _("Yes") if value else _("No")

    def export_plan(self, attribute, **kwargs):
        """The set-based twin of :meth:`render` (see :mod:`imports.exports`)."""
        yes, no = _("Yes"), _("No")
        return attribute, lambda value: yes if value else no


def without_null(errors: dict) -> dict:
    """Django's "This field cannot be null." (zh_Hans "这个值不能为 null。") for a blank cell
    of a column that needs a value speaks to programmers; it reads "This field cannot be
    blank." (此字段不能为空。) instead, the words Django uses for an empty text."""
    from django.db.models import Field

    readable = {}
    for name, value in errors.items():
        items = []
        for error in ValidationError(value).error_list:
            if error.code == "null":
                error = ValidationError(Field.default_error_messages["blank"], code="blank")
            items.append(error)
        readable[name] = items
    return readable


_IMMUTABLE = (type(None), str, int, float, bool, decimal.Decimal, datetime.date, datetime.timedelta)


def instance_factory(model):
    """A function that makes a new ``model()``: a copy of the attributes of one made here,
    when no field's default is computed per instance and nothing listens to its init
    signals (the import makes one per row, and ``Model.__init__`` walks every field)."""
    from django.db.models import signals
    from django.db.models.base import ModelState

    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model
    if any(callable(f.default) for f in model._meta.concrete_fields if f.has_default()):
        return model
    values = dict(model().__dict__)
    values.pop("_state", None)
    if not all(isinstance(v, _IMMUTABLE) for v in values.values()):
        return model

    def make():
        obj = model.__new__(model)
        obj.__dict__.update(values)
        obj._state = ModelState()
        return obj

    return make


class _Slow(Exception):
    """A cell the compiled check does not pass: Django's own ``Field.clean`` says why."""


def _compiled_check(field):
    """``field.clean(value, instance)`` for a plain field, with what it decides per column
    (its choices as a set, its validators, null, blank, editable) decided once. Any value it
    does not pass goes through ``field.clean`` itself, so every message is Django's own."""
    from django.db.models import Field

    kind = type(field)
    if not (
        kind.clean is Field.clean
        and kind.validate is Field.validate
        and kind.run_validators is Field.run_validators
    ):
        return None
    to_python, validators = field.to_python, list(field.validators)
    empty, null, blank, editable = field.empty_values, field.null, field.blank, field.editable
    try:
        choices = None if field.choices is None else {key for key, _l in field.flatchoices}
    except TypeError:
        return None

    def check(value):
        value = to_python(value)
        if editable:
            if choices is not None and value not in empty:
                if value not in choices:
                    raise _Slow
            elif (value is None and not null) or (not blank and value in empty):
                raise _Slow
        if value not in empty:
            for validator in validators:
                validator(value)
        return value

    return check


_FIELD_CHECKS: dict = {}


def field_checks(model):
    """What ``Model.clean_fields`` runs for ``model``, compiled once per field."""
    checks = _FIELD_CHECKS.get(model)
    if checks is None:
        checks = _FIELD_CHECKS[model] = [
            (f, f.name, f.attname, f.blank, f.empty_values, _compiled_check(f))
            for f in model._meta.fields
            if not f.generated
        ]
    return checks


def clean_fields_compiled(instance, exclude) -> None:
    """``instance.clean_fields(exclude)`` with each field's checks compiled (:func:`field_checks`):
    the same values set, the same errors raised."""
    errors = {}
    for field, name, attname, blank, empty, check in field_checks(type(instance)):
        if name in exclude:
            continue
        raw = getattr(instance, attname)
        if blank and raw in empty:
            continue
        try:
            if check is None:
                value = field.clean(raw, instance)
            else:
                try:
                    value = check(raw)
                except (ValidationError, _Slow, TypeError):
                    value = field.clean(raw, instance)
            setattr(instance, attname, value)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)


def full_clean_compiled(instance, exclude) -> None:
    """``instance.full_clean(exclude, validate_unique=False, validate_constraints=False)``:
    the fields' checks compiled (:func:`clean_fields_compiled`), then the model's
    ``clean()``. A model whose ``clean_fields`` does more than Django's gets its own, unless
    it names (``prepared_by``) the method that does the more."""
    from django.db.models import Model

    method = type(instance).clean_fields
    if method is not Model.clean_fields:
        prepare = getattr(method, "prepared_by", None)
        if prepare is None:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            return
        getattr(instance, prepare)()
    errors = {}
    try:
        clean_fields_compiled(instance, exclude)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


class ScopedResource(resources.ModelResource):
    """Base of every register's resource: scoped lookups and scoped writes.

    Rows are validated with the model's ``full_clean()`` (constraints and ``clean()``), so an
    import obeys exactly the rules of the admin forms.
    """

    class Meta:
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = kwargs.get("user")
        pk = self._meta.model._meta.pk.attname if self._meta.model else None
        for field in self.fields.values():  # a deep copy per resource instance
            if type(field.widget) is widgets.DateWidget:
                field.widget = DateWidget()
            elif type(field.widget) is widgets.BooleanWidget:
                field.widget = YesNoWidget()
            if field.attribute == pk and field.column_name == pk:
                # A register keyed by its row number heads it in Chinese (编号), not "id".
                field.column_name = _lazy("record number")

    def init_instance(self, row=None):
        """A new, empty row of the model: as ``Model()`` makes it, but copied from one made
        once per file where that is the same thing (no init signals, every default a
        constant of an immutable type); ``Model()`` otherwise."""
        make = getattr(self, "_new_instance", None)
        if make is None:
            make = self._new_instance = instance_factory(self._meta.model)
        return make()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Imports one cell; a stock widget's technical error becomes a message for people."""
        try:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        except (ValueError, ArithmeticError, TypeError) as exc:
            value = row.get(str(field.column_name)) if hasattr(row, "get") else None
            message = _number_error(field.widget, value)
            if message is None:
                if isinstance(exc, ValueError):
                    raise
                message = _("“%(value)s” cannot be read here.") % {"value": value}
            raise ValueError(message) from exc

    import_field.has_plan = True  # import_plan does the same, decided once per column

    def import_plan(self, field):
        """:meth:`import_field` for one column, compiled once for the file: a function
        ``(instance, row)`` that reads the cell, cleans it with the column's widget (with
        the user), sets the attribute, and raises the same ``ValueError`` for people.

        What django-import-export decides per cell (the attribute's path, the column, the
        default, the kwargs, which error message) is decided here once; the set-based import
        (:func:`imports.checking.check_rows`) calls the plan for every row. A subclass whose
        ``import_field`` does more than pass the user says so by not marking it
        ``has_plan``, and gets the per-cell call."""
        user = self.user
        method = type(self).import_field
        if getattr(method, "has_plan", False) and field.readonly:
            return lambda instance, row: None  # Field.save leaves a read-only column alone
        if (
            not getattr(method, "has_plan", False)
            or not field.attribute
            or LOOKUP_SEP in field.attribute
        ):
            return lambda instance, row: self.import_field(field, instance, row, user=user)
        column, attribute, widget = field.column_name, field.attribute, field.widget
        clean = widget.planned_clean() if hasattr(widget, "planned_clean") else widget.clean
        empty, default, saves_null = field.empty_values, field.default, field.saves_null_values
        has_default = default is not NOT_PROVIDED
        assign = _assigner(self._meta.model, attribute)

        def run(instance, row):
            value = row[column]
            try:
                cleaned = clean(value, row=row, user=user)
                if has_default and cleaned in empty:
                    cleaned = default() if callable(default) else default
                if cleaned is not None or saves_null:
                    assign(instance, cleaned)
            except (ValueError, ArithmeticError, TypeError) as exc:
                message = _number_error(widget, value)
                if message is None:
                    if isinstance(exc, ValueError):
                        raise
                    message = _("“%(value)s” cannot be read here.") % {"value": value}
                raise ValueError(message) from exc

        return run

    def export_field(self, field, instance, **kwargs):
        """Every exported value, whatever the format, is safe from formula injection.

        Numbers leave as numbers (never as localised text such as "2,468"), so a workbook
        can add them up and a CSV reads back in any language.
        """
        if isinstance(field.widget, widgets.NumberWidget):
            kwargs["force_native_type"] = True
        return safe_text(super().export_field(field, instance, **kwargs))

    def import_data(self, dataset, *args, **kwargs):
        kwargs.setdefault("user", self.user)
        self.user = kwargs["user"]
        return super().import_data(dataset, *args, **kwargs)

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.user)

    # --- the set-based import (see jianye.imports) ------------------------------------------

    def prepare_import(self, rows: list[dict]) -> None:
        """Reads what the rows refer to before the first row is checked, a few queries for
        the whole file: each foreign-key column's rows (widgets with ``prefetch``) and the
        existing rows the file's keys name. Then checking a row asks the database nothing
        (unless a model's own ``clean()`` does)."""
        for fld in self.fields.values():  # headers in the user's language, translated once
            fld.column_name = str(fld.column_name)
        for fld in self.get_import_fields():
            prefetch = getattr(fld.widget, "prefetch", None)
            column = str(fld.column_name)
            if prefetch is not None and rows and column in rows[0]:
                prefetch([row.get(column) for row in rows], user=self.user, rows=rows)
        self._params = {}  # the rows stay alive (and their ids theirs) for the whole check
        self._instances = self.prefetch_instances(rows)

    def instance_params(self, row) -> dict | None:
        """The import-id fields of ``row``, cleaned with the user (None: no usable key).
        During an import each row's are cleaned once (:meth:`prepare_import` reads them, the
        row's check finds them again), unless a hook changed the row in between."""
        cache = getattr(self, "_params", None)
        if cache is not None:
            values = list(row.values())
            hit = cache.get(id(row))
            if hit is not None and hit[0] == values:
                return hit[1]
            params = self._clean_params(row)
            cache[id(row)] = (values, params)
            return params
        return self._clean_params(row)

    def _clean_params(self, row) -> dict | None:
        params = {}
        for name in self.get_import_id_fields():
            fld = self.fields[name]
            if str(fld.column_name) not in row:
                return None
            try:
                params[fld.attribute] = fld.clean(row, user=self.user)
            except ValueError:
                return None  # reported with its column when the field itself is imported
        return params or None

    @staticmethod
    def _key(values) -> tuple:
        return tuple(getattr(value, "pk", value) for value in values)

    def prefetch_instances(self, rows) -> dict:
        """The existing rows (in the user's scope) that the file's keys name, by key."""
        wanted = [params for params in map(self.instance_params, rows) if params]
        index: dict[tuple, object] = {}
        if not wanted:
            return index
        attributes = list(wanted[0])
        model = self._meta.model
        attnames = [model._meta.get_field(name).attname for name in attributes]
        first = sorted({self._key([p[attributes[0]]])[0] for p in wanted}, key=str)
        others = {name: {self._key([p[name]])[0] for p in wanted} for name in attributes[1:]}
        for start in range(0, len(first), 2000):
            queryset = self.get_queryset().filter(
                **{f"{attnames[0]}__in": first[start : start + 2000]}
            )
            for name, attname in zip(attributes[1:], attnames[1:], strict=True):
                if len(others[name]) <= 2000:
                    queryset = queryset.filter(**{f"{attname}__in": others[name]})
            for obj in queryset:
                index.setdefault(tuple(getattr(obj, a) for a in attnames), obj)
        return index

    def get_instance(self, instance_loader, row):
        """The existing row with the row's keys, within the user's scope.

        import-export's instance loader cleans the import-id fields without the user, so a
        foreign key among them (a title's committee, a centre's street) would be looked up
        in no scope at all; they are cleaned here with the user. During an import the rows
        were read at once by :meth:`prepare_import`.
        """
        params = self.instance_params(row)
        if params is None:
            return None
        index = getattr(self, "_instances", None)
        if index is not None:
            return index.get(self._key(params.values()))
        return self.get_queryset().filter(**params).first()

    def file_errors(self, pending) -> list[tuple[object, str, str]]:
        """Rules across the rows of one file: ``(instance, field, message)`` for each break.
        ``pending`` are the instances about to be written, in file order."""
        return []

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors and not in_scope(instance, self.user):
            field = getattr(instance, "street_scope", "") or "__all__"
            field = field.split("__")[0] if field != "pk" else "__all__"
            errors[field] = ValidationError(
                _("This row belongs to a street outside your scope; it was not imported.")
            )
        # ``validate_unique=False`` is the set-based import's way of saying "uniqueness and
        # constraints are checked for the whole file at once" (jianye.imports).
        if self._meta.clean_model_instances:
            exclude = set(errors)
            if not validate_unique:
                # A foreign key a widget found (in the database, in the user's scope) needs no
                # second query per row to prove that its row exists.
                exclude.update(
                    f.name
                    for f in relation_fields(type(instance))
                    if f.is_cached(instance) and f.get_cached_value(instance) is not None
                )
            try:
                if validate_unique:
                    instance.full_clean(exclude=exclude)
                else:  # the set-based import: the same checks, compiled per column
                    full_clean_compiled(instance, exclude)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(without_null(errors))
