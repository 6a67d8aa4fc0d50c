"""The test suite's settings (pyproject.toml: DJANGO_SETTINGS_MODULE): the project's own,
as production has them (DEBUG off), with a throw-away secret key when the environment gives
none, since :mod:`jianye.settings` refuses to start without one when DEBUG is off. The key
goes into the environment, so the ``manage.py`` runs the tests start get it too."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-only-" + secrets.token_urlsafe(40))

from .settings import *  # noqa: E402,F403

# A fast per-process cache for the tests, unless the environment names one (the tests of the
# shared cache choose theirs: tests/overview/test_shared_cache.py).
if not CACHE_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Readers compute on demand, as before the worker recomputed them; the tests of the worker's
# recomputation turn it on (SUMMARIES_REFRESH = "worker") and run its task themselves.
SUMMARIES_REFRESH = os.environ.get("SUMMARIES_REFRESH", "request")
