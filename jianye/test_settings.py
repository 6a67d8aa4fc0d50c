"""The test suite's settings (pyproject.toml: DJANGO_SETTINGS_MODULE): the project's own,
as production has them (DEBUG off), with a throw-away secret key when the environment gives
none, since :mod:`jianye.settings` refuses to start without one when DEBUG is off. The key
goes into the environment, so the ``manage.py`` runs the tests start get it too."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-only-" + secrets.token_urlsafe(40))

from .settings import *  # noqa: E402,F403
