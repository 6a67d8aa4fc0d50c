"""Optimistic locking of the admin's change forms (:mod:`audit.locking`), for every register.

No lost updates: change forms carry a version token; saving a stale copy is refused, naming
the fields someone else changed. The page shown again keeps the other person's edits (fields
the user did not touch show the current values), keeps the user's own input, and notes the
current value beside each field both changed; its token is the current one, so saving it
again overrides only what the user has seen. A POST to a change form without a readable
token is refused, not saved unchecked.

:class:`VersionCheckedAdminMixin` goes before :class:`scoping.admin_base.ScopedAdmin` in a
ModelAdmin's bases (as in :class:`imports.admin_flow.RegisterAdmin`); the change form's
template (templates/admin/change_form.html) puts the token in the form.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .locking import (
    VERSION_FIELD,
    check,
    conflict_note,
    locked_current,
    no_token_message,
    stale_message,
    submitted_digests,
    version_token,
)


class VersionCheckedFormMixin:
    """Refuses to save a change form over a row that changed since the user saw it
    (:mod:`audit.locking`), and prepares the page shown again so that nothing is lost.

    After the form's own cleaning, the stored row is read again under a row lock (the admin
    saves inside a transaction, so two saves cannot both pass the check) and compared with
    the version token the page carried. On a conflict the save is refused with a form error,
    and on the page shown again:

    - fields someone else changed that the user did not touch show the current values (a
      second save keeps the other person's edit instead of reverting it);
    - fields both changed keep the user's value in the input, with the current value noted
      beside it (a field error), so that a second save keeps it knowingly;
    - the token is the current one, i.e. what the page now shows as the baseline: a change
      landing before the second save is detected again.

    A POST without a readable token (missing, forged, an old copy of the form) is refused
    too, with the current value noted beside every field whose input differs from it.
    """

    audit_version = None

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self.instance.pk is None or self.instance._state.adding:
            return
        current = locked_current(self.instance)
        if current is None:
            self.add_error(
                None,
                ValidationError(_("This record has been deleted by someone else."), code="deleted"),
            )
            return
        # The page shown after this POST carries the current version (see render_change_form).
        self.audit_version = version_token(current)
        conflict = check(self.data.get(VERSION_FIELD), current, submitted_digests(self))
        if conflict is None:
            return
        if conflict.token_valid:
            message, code = stale_message(current, conflict.changed, conflict.both), "stale"
        else:
            message, code = no_token_message(), "no_version"
        self.add_error(None, ValidationError(message, code=code))
        # Untouched fields show the stored values (rendered from them, not from the POST).
        self._audit_current = {
            self.add_prefix(f.name): f.value_from_object(current) for f in conflict.refresh
        }
        for field in conflict.both:
            self.add_error(
                field.name, ValidationError(conflict_note(current, field), code="conflict")
            )

    def _widget_data_value(self, widget, html_name):
        # A BoundField reads its data through here each time it renders.
        current = getattr(self, "_audit_current", {})
        if html_name in current:
            return current[html_name]
        return super()._widget_data_value(widget, html_name)


class VersionCheckedAdminMixin:
    """Gives a ModelAdmin's change form the version check of :class:`VersionCheckedFormMixin`
    and the version token of the row shown."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or not change:
            return form
        return type(form.__name__, (VersionCheckedFormMixin, form), {})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk is not None:
            form = context["adminform"].form
            context["audit_version_field"] = VERSION_FIELD
            context["audit_version"] = getattr(form, "audit_version", None) or version_token(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
