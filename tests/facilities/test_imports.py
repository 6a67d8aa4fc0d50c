"""Imports of the facilities registers: natural keys, Chinese headers, all or nothing."""

import pytest
import tablib
from django.utils.module_loading import import_string

from facilities.models import Compliance, Premises
from facilities.resources import ComplianceResource, PremisesResource
from imports import registry, services

# The project's import path (importxlsx, all or nothing) knows registers by name; until the
# facilities registers are listed in imports.registry.REGISTERS the tests add them.
FACILITIES_REGISTERS = {
    "premises": "facilities.resources.PremisesResource",
    "function-standard": "facilities.resources.FunctionStandardItemResource",
    "compliance": "facilities.resources.ComplianceResource",
    "area-standards": "facilities.resources.AreaStandardResource",
}


@pytest.fixture
def registers(monkeypatch):
    for name, dotted in FACILITIES_REGISTERS.items():
        monkeypatch.setitem(registry.REGISTERS, name, import_string(dotted))


def import_through_the_project_path(tmp_path, user, data, register="premises"):
    path = tmp_path / f"{register}.xlsx"
    path.write_bytes(data.export("xlsx"))
    return services.import_file(register=register, path=path, user=user)


HEADERS = [
    "社区代码",
    "名称",
    "用途",
    "面积（平方米）",
    "产权形式",
    "状态",
    "状态日期",
    "地址",
    "停用日期",
    "备注",
]


def dataset(*rows):
    return tablib.Dataset(*(list(row) + ["", "", ""] for row in rows), headers=HEADERS)


def errors_of(result):
    messages = [str(e.error) for e in result.base_errors]
    messages += [str(e.error) for row in result.row_errors() for e in row[1]]
    for invalid in result.invalid_rows:
        messages.extend(str(m) for ms in invalid.error_dict.values() for m in ms)
    return messages


@pytest.mark.django_db
def test_export_has_chinese_headers_and_natural_keys(users):
    data = PremisesResource(user=users["nanhu"]).export()
    assert data.headers[:4] == ["社区代码", "名称", "地址", "用途"]
    codes = set(data["社区代码"])
    assert all(code.startswith("320105001") for code in codes)
    assert "办公" in set(data["用途"])


@pytest.mark.django_db
def test_street_user_imports_own_premises_by_committee_name(users):
    result = PremisesResource(user=users["nanhu"]).import_data(
        dataset(["沿河社区", "沿河新址活动室", "活动", "85.5", "租用", "在用", "2006-08-01"])
    )
    assert not result.has_errors() and not result.has_validation_errors(), errors_of(result)
    assert Premises.objects.get(committee__name="沿河社区", name="沿河新址活动室").area == 85.5


@pytest.mark.django_db
def test_import_of_another_streets_committee_writes_nothing(users):
    before = Premises.objects.count()
    result = PremisesResource(user=users["nanhu"]).import_data(
        dataset(
            ["沿河社区", "沿河新址活动室", "活动", "85.5", "租用", "在用", "2006-08-01"],
            ["滨湖社区", "偷偷登记的用房", "活动", "100", "租用", "在用", "2006-08-01"],
        ),
        dry_run=True,
    )
    assert result.has_errors() or result.has_validation_errors()
    assert any("滨湖社区" in message and "范围" in message for message in errors_of(result))
    assert Premises.objects.count() == before


@pytest.mark.django_db
def test_import_of_another_streets_committee_through_importxlsx_path(users, registers, tmp_path):
    before = Premises.objects.count()
    outcome = import_through_the_project_path(
        tmp_path,
        users["nanhu"],
        dataset(
            ["沿河社区", "沿河新址活动室", "活动", "85.5", "租用", "在用", "2006-08-01"],
            ["320105002001", "偷偷登记的用房", "活动", "100", "租用", "在用", "2006-08-01"],
        ),
    )
    assert not outcome.written
    assert [e.row for e in outcome.errors] == [3]
    assert "不在您的权限范围内" in outcome.errors[0].message
    assert Premises.objects.count() == before


@pytest.mark.django_db
def test_negative_area_import_writes_nothing(users, registers, tmp_path):
    before = Premises.objects.count()
    outcome = import_through_the_project_path(
        tmp_path,
        users["clerk"],
        dataset(
            ["沿河社区", "沿河新址活动室", "活动", "85.5", "租用", "在用", "2006-08-01"],
            ["长虹社区", "长虹活动室", "活动", "-20", "租用", "在用", "2006-08-01"],
        ),
    )
    assert not outcome.written
    assert [(e.row, e.message) for e in outcome.errors] == [(3, "面积不能为负数。")]
    assert Premises.objects.count() == before


@pytest.mark.django_db
def test_reimport_of_the_export_changes_nothing(users, registers, tmp_path):
    before = list(Premises.objects.order_by("pk").values())
    data = PremisesResource(user=users["nanhu"]).export()
    outcome = import_through_the_project_path(tmp_path, users["nanhu"], data)
    assert outcome.errors == [] and outcome.new == 0
    assert list(Premises.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_unknown_choice_is_named(users):
    result = PremisesResource(user=users["clerk"]).import_data(
        dataset(["沿河社区", "沿河新址活动室", "仓库", "85.5", "租用", "在用", "2006-08-01"])
    )
    assert result.has_errors() or result.has_validation_errors()
    assert any("仓库" in message for message in errors_of(result))


@pytest.mark.django_db
def test_compliance_import_by_item_name_and_yes_no(users):
    data = tablib.Dataset(
        ["320105001003", 2006, "阅览室", "是", "新辟阅览角"],
        headers=["社区代码", "年份", "项目", "是否达标", "备注"],
    )
    result = ComplianceResource(user=users["clerk"]).import_data(data)
    assert not result.has_errors() and not result.has_validation_errors(), errors_of(result)
    row = Compliance.objects.get(
        committee__code="320105001003", year=2006, item__code="reading-room"
    )
    assert row.met is True and row.note == "新辟阅览角"
