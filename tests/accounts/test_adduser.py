"""``manage.py adduser``: good input creates one account in its role; bad input writes nothing."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import User
from accounts.roles import GROUP_NAMES
from accounts.services import user_create

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Qinhuai-river-2006"


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def adduser(monkeypatch, *args, stdin=PASSWORD + "\n"):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("adduser", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def accounts():
    return sorted(User.objects.values_list("username", flat=True))


@pytest.mark.django_db
def test_adduser_street_staff(demo, monkeypatch):
    output = adduser(monkeypatch, "wang", "--role", "street", "--street", "南湖")
    user = User.objects.get(username="wang")
    assert (user.role, user.street.name) == ("street", "南湖街道")
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES["street"]]
    assert user.is_staff and not user.is_superuser
    assert output.strip() == "已创建账户 wang（街道工作人员）。"


@pytest.mark.django_db
def test_adduser_clerk(demo, monkeypatch):
    adduser(monkeypatch, "li", "--role", "clerk")
    user = User.objects.get(username="li")
    assert (user.role, user.street) == ("clerk", None)
    assert user.has_perm("communities.change_committee")


@pytest.mark.django_db
def test_unknown_street(demo, monkeypatch):
    before = accounts()
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "street", "--street", "北湖")
    assert str(exc_info.value) == (
        "没有“北湖”这个街道。现有街道：南湖街道、滨湖街道、南苑街道、兴隆街道、双闸街道。"
    )
    assert exc_info.value.returncode == 1
    assert accounts() == before


@pytest.mark.django_db
def test_street_role_without_street(demo, monkeypatch):
    before = accounts()
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "street")
    assert str(exc_info.value) == "街道工作人员须用 --street 指定所属街道。"
    assert accounts() == before


@pytest.mark.django_db
def test_district_role_with_street(demo, monkeypatch):
    before = accounts()
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "viewer", "--street", "南湖")
    assert str(exc_info.value) == "只有街道工作人员才隶属街道，请去掉 --street。"
    assert accounts() == before


@pytest.mark.django_db
def test_unknown_role(demo, monkeypatch):
    before = accounts()
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "boss")
    # argparse refuses it before the command runs (its own message, naming the choices).
    assert "boss" in str(exc_info.value)
    assert "admin" in str(exc_info.value) and "street" in str(exc_info.value)
    assert accounts() == before


@pytest.mark.django_db
def test_unknown_role_in_the_service(demo):
    """The same rule in the one function the command, the admin and the demo loader use."""
    before = accounts()
    with pytest.raises(ValidationError) as exc_info:
        user_create(username="zhao", role="boss", password=PASSWORD)
    assert exc_info.value.messages == [
        "没有“boss”这个角色。请从以下角色中选择：admin, clerk, street, viewer。"
    ]
    assert accounts() == before


@pytest.mark.django_db
def test_missing_password(demo, monkeypatch):
    before = accounts()
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "clerk", stdin="")
    assert str(exc_info.value) == "标准输入中没有密码。"
    assert accounts() == before


@pytest.mark.django_db
def test_weak_password(demo, monkeypatch):
    before = accounts()
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "clerk", stdin="123\n")
    # Django's own password validators, in Chinese.
    assert "密码" in str(exc_info.value)
    assert accounts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("caller_language", ["zh-hans", "en"])
def test_too_short_password_in_chinese(demo, monkeypatch, caller_language):
    """Django 5.2's "This password is too short…" had no zh_Hans translation (its catalogue
    has an older wording); ours supplies it, and the command speaks the project's language
    whatever the caller had active (issue 13, item 8)."""
    before = accounts()
    with translation.override(caller_language), pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "clerk", stdin="x7#Qz\n")
    assert str(exc_info.value) == "密码太短，至少需要 8 个字符。"
    assert accounts() == before


@pytest.mark.django_db
def test_existing_username(demo, monkeypatch):
    adduser(monkeypatch, "zhao", "--role", "clerk")
    with pytest.raises(CommandError) as exc_info:
        adduser(monkeypatch, "zhao", "--role", "viewer")
    assert str(exc_info.value) == "用户名“zhao”已存在。"
    assert User.objects.get(username="zhao").role == "clerk"


# From the command line: the exit status and the message an operator sees ------------------


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    """A throw-away SQLite database with the demo data, for real ``manage.py`` runs."""
    path = tmp_path_factory.mktemp("adduser") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "LANG": "C.UTF-8"}
    for command in (["migrate", "--noinput"], ["loaddemo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return env


def manage(env, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_usernames(env):
    result = manage(
        env,
        "shell",
        "-c",
        "from accounts.models import User; print(','.join(sorted(User.objects.values_list('username', flat=True))))",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["zhao", "--role", "street", "--street", "北湖"], PASSWORD + "\n", "没有“北湖”这个街道。"),
        (["zhao", "--role", "clerk"], "", "标准输入中没有密码。"),
        (["zhao", "--role", "street"], PASSWORD + "\n", "街道工作人员须用 --street 指定所属街道。"),
        (["zhao", "--role", "boss"], PASSWORD + "\n", "boss"),
        (["zhao", "--role", "clerk"], "x7#Qz\n", "密码太短，至少需要 8 个字符。"),
    ],
)
def test_command_line_failures(sqlite_env, args, stdin, message):
    before = cli_usernames(sqlite_env)
    result = manage(sqlite_env, "adduser", *args, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert cli_usernames(sqlite_env) == before
    assert "zhao" not in before.split(",")


def test_command_line_success(sqlite_env):
    result = manage(
        sqlite_env, "adduser", "sun", "--role", "street", "--street", "滨湖", stdin=PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert "已创建账户 sun（街道工作人员）。" in result.stdout
    assert "sun" in cli_usernames(sqlite_env).split(",")
