"""Headers and deployment: CSP on every page, and check --deploy silent in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]


def test_pages_carry_a_strict_content_security_policy(clients):
    for url in ("/", "/admin/", "/admin/communities/committee/", "/admin/login/"):
        response = clients["clerk"].get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_our_pages_and_the_admin_have_no_inline_script(clients, demo):
    """The policy forbids inline script; the pages must not need it."""
    import re

    committee = demo["committees"]["沿河社区"]
    urls = (
        "/",
        "/admin/",
        "/admin/communities/committee/",
        f"/admin/communities/committee/{committee.pk}/change/",
        f"/admin/communities/committee/{committee.pk}/history/",
        "/reports/",
        "/returns/",
        "/budgets/",
    )
    for url in urls:
        page = clients["admin"].get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or "application/json" in tag, (url, tag)  # json_script is data
        assert not re.search(r"\son[a-z]+=\"", page), url  # no onclick="..." handlers


PRODUCTION = {
    "SECURE": "1",
    "DEBUG": "0",
    "SECRET_KEY": "deploy-check-a-long-random-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "jianye.example",
}


def manage_py(*args, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "SECURE", "DEBUG", "STATIC_ROOT"))
    }
    env.update(PRODUCTION, **extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A release's static files, as collectstatic writes them with production settings."""
    root = tmp_path_factory.mktemp("static-root")
    result = manage_py("collectstatic", "--noinput", "-v", "0", STATIC_ROOT=str(root))
    assert result.returncode == 0, result.stderr
    return root


def deploy_check(static_root, **extra):
    return manage_py(
        "check", "--deploy", "--fail-level", "WARNING", STATIC_ROOT=str(static_root), **extra
    )


def test_check_deploy_prints_nothing_with_production_settings(collected):
    result = deploy_check(collected)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() in ("", "System check identified no issues (0 silenced).")
    assert "WARNING" not in result.stderr and "?:" not in result.stdout


def test_check_says_when_the_static_files_were_not_collected(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode != 0
    assert "audit.W001" in result.stderr and "collectstatic" in result.stderr


def test_secure_turns_on_secure_cookies_and_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT)"
    )
    env = {**os.environ, "SECURE": "1", "DJANGO_SETTINGS_MODULE": "jianye.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "31536000", "True"], result.stderr
