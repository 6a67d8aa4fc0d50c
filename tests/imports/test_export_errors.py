"""The admin's export pages never answer with a server error (issue 13): every register
exports as ODS (a file the real reader opens, Chinese headers, every row), and a list filter
in the export's address that does not fit the register sends the user back to the list with
a message."""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.utils import translation
from import_export.admin import ExportMixin
from python_calamine import CalamineWorkbook

from scoping.resources import ScopedResource

EXPORT_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ExportMixin)
    ),
    key=lambda item: item[0]._meta.label_lower,
)
EXPORTS = [model._meta.label_lower for model, _admin in EXPORT_ADMINS]
ADMINS = dict(zip(EXPORTS, (model_admin for _model, model_admin in EXPORT_ADMINS), strict=True))
CJK = re.compile("[\u4e00-\u9fff]")


def export_url(label):
    app_label, model_name = label.split(".")
    return f"/admin/{app_label}/{model_name}/export/"


def test_every_register_has_its_export():
    assert len(EXPORTS) >= 20


def ods_post(label):
    model_admin = ADMINS[label]
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_extension() == "ods")
    resource_class = model_admin.get_export_resource_classes(None)[0]
    data = {"resource": "0", "format": str(index)}
    for field in resource_class().get_export_order():
        data[f"{resource_class.__name__.lower()}_{field}"] = "on"
    return data


@pytest.mark.parametrize("label", EXPORTS)
def test_ods_export_opens_with_chinese_headers_and_every_row(clients, label):
    response = clients["admin"].post(export_url(label), ods_post(label))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert response["Content-Disposition"].endswith(".ods")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    header, *rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    resource = ADMINS[label].get_export_resource_classes(None)[0]()
    with translation.override("zh-hans"):
        assert header == [str(field.column_name) for field in resource.get_export_fields()]
    if isinstance(resource, ScopedResource):  # the registers' own resources (others: a gap)
        assert any(CJK.search(str(name)) for name in header), header
    model = next(m for m, _a in EXPORT_ADMINS if m._meta.label_lower == label)
    assert len(rows) == model._default_manager.count()


def test_ods_export_keeps_the_values(clients):
    from communities.models import Committee

    response = clients["admin"].post(export_url("communities.committee"), ods_post(
        "communities.committee"
    ))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    header, *rows = book.get_sheet_by_index(0).to_python()
    names = {row[header.index("名称")] for row in rows}
    assert set(Committee.objects.values_list("name", flat=True)) == names


@pytest.mark.parametrize("query", ["nosuchfield=1", "id__exact=abc"])
@pytest.mark.parametrize("label", EXPORTS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_filter_that_does_not_fit_is_a_message_not_a_server_error(
    clients, label, query, method
):
    client = clients["admin"]
    url = f"{export_url(label)}?{query}"
    response = client.get(url) if method == "get" else client.post(url, ods_post(label))
    assert response.status_code == 302
    assert response["Location"] == export_url(label).removesuffix("export/")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("筛选" in text for text in texts), texts


def test_a_bad_filter_value_on_the_committee_export(clients):
    response = clients["clerk"].get(
        "/admin/communities/committee/export/?street__id__exact=abc", follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/communities/committee/"
    assert "重新选择筛选条件" in response.content.decode()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("label", ["communities.committee", "staffing.person"])
def test_export_page_runs_no_inline_script_under_the_csp(clients, label):
    from django.conf import settings

    response = clients["clerk"].get(export_url(label))
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert 'class="select-toggle"' in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    assert '<script src="/static/js/export_select_all.js" defer></script>' in html
    script = settings.BASE_DIR / "static" / "js" / "export_select_all.js"
    assert "select-toggle" in script.read_text()
