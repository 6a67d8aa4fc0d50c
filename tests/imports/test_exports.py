"""Exports: formula-like text never runs as a formula, whatever the format; numbers stay numbers."""

import io

import openpyxl
import pytest

from communities.models import Committee
from communities.resources import CommitteeResource
from imports.registry import REGISTERS, resource_class


@pytest.mark.django_db
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(1)", "\tx", "\rx"])
def test_committee_whose_name_looks_like_a_formula(users, name):
    Committee.objects.filter(code="320105001001").update(name=name)
    dataset = CommitteeResource(user=users["clerk"]).export(
        queryset=Committee.objects.filter(code="320105001001")
    )
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["名称"] == "'" + name
    assert isinstance(row["户数"], int)  # a number, not "2,468"
    book = openpyxl.load_workbook(io.BytesIO(dataset.export("xlsx")))
    values = [cell.value for cell in book.active[2]]
    assert "'" + name in values or "'" + name.replace("\r", "\n") in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    csv_text = dataset.export("csv")
    assert "'" + name[:2] in csv_text or "\"'" + name[:2] in csv_text


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_every_register_exports_for_every_role(users, register):
    for user in users.values():
        dataset = resource_class(register)(user=user).export()
        assert dataset.headers
