"""Production never starts on the built-in secret key (issue 13): with DEBUG off and no
SECRET_KEY in the environment, settings refuse to load, naming the setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def start(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG"))
    }
    env.update(DJANGO_SETTINGS_MODULE="jianye.settings", **extra)
    return subprocess.run(
        [sys.executable, "-c", SETUP], cwd=BASE, env=env, capture_output=True, text=True,
        timeout=120,
    )


@pytest.mark.parametrize("debug", [None, "0", "false"])
@pytest.mark.parametrize("key", [None, "", "  "])
def test_debug_off_without_a_key_refuses_to_start(debug, key):
    extra = {}
    if debug is not None:
        extra["DEBUG"] = debug
    if key is not None:
        extra["SECRET_KEY"] = key
    result = start(**extra)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_off_with_a_key_starts_on_it():
    result = start(DEBUG="0", SECRET_KEY="a-production-key-" + "x" * 40)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "a-production-key-" + "x" * 40


def test_debug_on_starts_on_the_development_key():
    result = start(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure-")


def test_manage_py_refuses_too():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE, env=env, capture_output=True,
        text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
