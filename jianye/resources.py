"""django-import-export plumbing shared by every register.

- ``ScopedResource``: the resource base. It is given the importing user (by the admin and by
  ``importxlsx``); foreign keys resolve only among rows the user may see, existing rows are
  found only within the user's scope, and a row that would land outside it is invalid, with
  the column and the reason, so the whole file is refused.
- ``ScopedForeignKeyWidget``: a foreign key given by a natural key (a committee's code or
  name, a street's name), looked up within the user's scope.
- ``ChoiceWidget``: a choice field written and read as its Chinese label (or its code).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets

from communities.scoping import in_scope, scope_queryset


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks a related row up by one of several natural-key fields, within the user's scope."""

    def __init__(self, model, field="pk", *, alternatives=(), **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.alternatives = tuple(alternatives)

    def get_queryset(self, value, row, *args, **kwargs):
        return scope_queryset(self.model._default_manager.all(), kwargs.get("user"))

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        queryset = self.get_queryset(value, row, **kwargs)
        for field in (self.field, *self.alternatives):
            matches = list(queryset.filter(**{field: text})[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValueError(
                    _("“%(value)s” matches more than one %(model)s; use the code.")
                    % {"value": text, "model": self.model._meta.verbose_name}
                )
        raise ValueError(
            _("No %(model)s “%(value)s” (or it is outside your scope).")
            % {"value": text, "model": self.model._meta.verbose_name}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.field, "") if self.field != "pk" else value.pk


class ChoiceWidget(widgets.Widget):
    """Exports a choice as its (translated) label; imports the label or the stored code."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return ""
        text = str(value).strip()
        for code, label in self.choices:
            if text in (str(code), str(label)):
                return code
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": "、".join(str(label) for _c, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


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

    def import_data(self, dataset, *args, **kwargs):
        kwargs.setdefault("user", self.user)
        self.user = kwargs["user"]
        return super().import_data(dataset, *args, **kwargs)

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.user)

    def get_instance(self, instance_loader, row):
        """The existing row, looked up within the user's scope.

        import-export's instance loader cleans the import-id fields without the user, so a
        foreign key among them (a title's committee, a centre's street) would be looked up
        in no scope at all and every such row refused, for clerks too. Clean them here with
        the user; the lookup itself stays on the scoped queryset.
        """
        params = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if str(field.column_name) not in row:
                return None
            try:
                params[field.attribute] = field.clean(row, user=self.user)
            except ValueError:
                return None  # reported with its column when the field itself is imported
        if not params:
            return None
        return self.get_queryset().filter(**params).first()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors and not in_scope(instance, self.user):
            field = getattr(instance, "street_scope", "") or "__all__"
            field = field.split("__")[0] if field != "pk" else "__all__"
            errors[field] = ValidationError(
                _("This row belongs to a street outside your scope; it was not imported.")
            )
        super().validate_instance(instance, errors, validate_unique)
