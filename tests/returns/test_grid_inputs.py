"""The grid's inputs are written directly (returns.forms.DirectInputMixin): the HTML is what
Django's own widget templates write, for every kind of cell."""

from unittest import mock

import pytest
from django import forms
from django.utils import translation

from returns.forms import DirectInputMixin, ReturnRowForm
from returns.models import FIGURES

TRICKY = "<b>\"南湖\" & 'x'</b>"


def rendered(form):
    direct = [f.name for f in form if isinstance(f.field.widget, DirectInputMixin)]
    assert direct == [f.name for f in form if f.name != "select"]
    html = []
    for field in form:
        html.append(str(field))
        if field.field.show_hidden_initial:
            html.append(field.as_hidden(only_initial=True))
    return html


def forms_to_render():
    initial = {"committee": 7, "version": 3, **{name: 1200 for name in FIGURES}}
    initial.update(note=TRICKY, comment="")
    data = {"form-0-committee": "7", "form-0-version": "3", "form-0-note": TRICKY}
    data.update(
        {
            f"form-0-{name}": value
            for name, value in zip(FIGURES, ["1,234", "abc", "-5", "", " ８ ", "0"], strict=True)
        }
    )
    data.update({f"initial-form-0-{name}": "1200" for name in FIGURES})
    typed = ReturnRowForm(data, prefix="form-0", initial=initial)
    typed.is_valid()  # errors marked on their cells (aria-invalid, title, aria-describedby)
    marked = ReturnRowForm(prefix="form-1", initial=initial)
    marked.mark(FIGURES[0], "高于上季度 20%", invalid=False)
    read_only = ReturnRowForm(prefix="form-2", initial=initial, editable=False)
    empty = ReturnRowForm(prefix="form-3")
    return [typed, marked, read_only, empty]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_inputs_are_djangos(language):
    with translation.override(language):
        ours = [rendered(form) for form in forms_to_render()]
        with mock.patch.object(DirectInputMixin, "render", forms.Widget.render):
            django = [rendered(form) for form in forms_to_render()]
    assert ours == django
    flat = "".join(html for form in ours for html in form)
    assert 'aria-invalid="true"' in flat and "disabled" in flat and 'type="hidden"' in flat
    assert "&lt;b&gt;&quot;南湖&quot; &amp; &#x27;x&#x27;&lt;/b&gt;" in flat
