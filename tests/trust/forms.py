"""Posting an admin change form back as a browser would: every field with the value shown,
inline formsets with their management forms, and the version token."""


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [getattr(v, "pk", v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        return "on" if value else ""
    return value


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        bound = form[name]
        value = _value(bound)
        if value == "" and type(bound.field).__name__ == "BooleanField":
            continue
        data[bound.html_name] = value
    return data


def change_form_data(response) -> dict:
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    if context.get("audit_version"):
        data[context["audit_version_field"]] = context["audit_version"]
    return data
