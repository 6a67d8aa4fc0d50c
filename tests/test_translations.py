"""The zh_Hans catalogues are complete, compiled, and the site speaks Chinese."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CATALOGUES = sorted(
    path
    for path in ROOT.glob("**/locale/*/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "site-packages" not in path.parts
)


def entries(path):
    """(flags, msgid, msgstrs) of every entry of a .po file, the header included."""
    result, flags, current, key = [], [], None, None

    def close():
        if current is not None:
            result.append(
                (
                    flags,
                    current.get("msgid", ""),
                    [v for k, v in current.items() if k.startswith("msgstr")],
                )
            )

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            close()
            flags, current, key = [], None, None
        elif line.startswith("#,"):
            flags = flags + [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            current = current if current is not None else {}
            current[key] = ast.literal_eval(value)
    return result


def test_the_foundation_catalogues_exist():
    found = {str(path.relative_to(ROOT)) for path in CATALOGUES}
    assert {
        "locale/zh_Hans/LC_MESSAGES/django.po",
        "accounts/locale/zh_Hans/LC_MESSAGES/django.po",
        "communities/locale/zh_Hans/LC_MESSAGES/django.po",
        "reports/locale/zh_Hans/LC_MESSAGES/django.po",
    } <= found


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_is_translated(path):
    items = entries(path)
    assert len(items) > 5
    header = [item for item in items if item[1] == ""]
    assert len(header) == 1 and "fuzzy" not in header[0][0], "header still marked fuzzy"
    untranslated = [msgid for _f, msgid, msgstrs in items if msgid and not all(msgstrs)]
    fuzzy = [msgid for flags, msgid, _s in items if msgid and "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_the_source(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} missing: run compilemessages"
    with compiled.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for _flags, msgid, msgstrs in entries(path):
        if msgid:
            assert catalogue.gettext(msgid) == msgstrs[0], msgid


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\{ *\w+ *\}\}")
    for _flags, msgid, msgstrs in entries(path):
        if msgid:
            assert set(pattern.findall(msgid)) == set(pattern.findall(msgstrs[0])), msgid


@pytest.mark.django_db
def test_admin_index_in_chinese(clients):
    body = clients["clerk"].get(reverse("admin:index")).content.decode()
    assert "建邺区社区建设管理系统" in body  # site header
    assert "台账" in body  # index title
    assert "社区居委会" in body and "社区中心" in body  # model names
    assert "Committees" not in body


@pytest.mark.django_db
def test_establishment_report_in_chinese(clients):
    response = clients["viewer"].get(
        reverse("reports:report-detail", args=["establishment"]), {"year": 2006}
    )
    body = response.content.decode()
    for text in (
        "建邺区社区居委会建制情况表（2006年）",
        "表号：建民社1表",
        "报告期：2006年",
        "计量单位：个、户、人",
        "合计",
        "合署办公（未撤销）",
        "村代居",
        "户数",
        "单位负责人：",
        "统计负责人：",
        "填表人：",
        "报出日期：",
    ):
        assert text in body, text
    assert "Total" not in body


@pytest.mark.django_db
def test_committee_changelist_in_chinese(clients):
    body = clients["clerk"].get(reverse("admin:communities_committee_changelist")).content.decode()
    for text in ("代码", "名称", "街道", "状态", "户数", "合署办公（未撤销）", "所列各行合计："):
        assert text in body, text
