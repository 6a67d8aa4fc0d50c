"""Settings for the Jianye community-affairs application.

Everything that differs between a laptop and production comes from the environment,
read here and only here:

- ``DATABASE_URL``: ``sqlite:///path`` (default: ``var/db.sqlite3``) or
  ``postgres://user:pass@host:5432/name``.
- ``SECRET_KEY``: required when ``DEBUG`` is off (the application refuses to start without
  it); a built-in development key only with ``DEBUG`` on. The tests run on
  ``jianye.test_settings``, which gives a throw-away key.
- ``DEBUG``: off unless set to 1/true/yes.
- ``ALLOWED_HOSTS``: comma-separated, default ``127.0.0.1,localhost``.
- ``SECURE``: 1 behind HTTPS in production (secure cookies, HSTS, SSL redirect).
- ``SESSION_IDLE_SECONDS``: idle session timeout (default 1800).
- ``STATIC_ROOT``: where ``collectstatic`` writes (default ``staticfiles/``).
- ``DATABASE_REPLICA_URL``: a read replica for the report pages (off when unset; see
  ``jianye/routers.py`` and docs/deploy.md).
- ``IMPORT_BACKGROUND_ROWS``: files with more data rows than this (default 2000) are checked
  and imported by the task worker (``manage.py db_worker``) instead of in the request.
- ``CACHE_URL`` (or ``REDIS_URL``): the shared cache of computed summaries (redis://...,
  file:///path; default a file cache under ``var/cache``); ``SUMMARIES_REFRESH``
  (``worker``: the task worker recomputes them after a change; ``request``: on demand),
  ``SUMMARIES_STALE_SECONDS``.
- ``PASSWORD_HASH_NICE`` (10), ``PASSWORD_HASH_THREADS`` (the cores): password hashes run
  in that many threads per process at that nice value (accounts/hashers.py).
- ``BUREAU_NAME``: the issuing office (制表机关) the report tables name (default 建邺区民政局).
- ``EMAIL_HOST`` (and Django's other ``EMAIL_*``), ``DEFAULT_FROM_EMAIL``, ``SITE_URL``: the
  e-mail that goes with notices; the console with ``DEBUG`` and no ``EMAIL_HOST``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        # Production (DEBUG off) never runs on a key everyone can read in this file: sessions,
        # password-reset links and signed values would be forgeable. The test suite gives its
        # own throw-away key (jianye/test_settings.py); `make run` and `make setup` turn DEBUG on.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the application refuses to start on a "
            "built-in key: set the SECRET_KEY environment variable to a long random value "
            "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), the same "
            "on every app server, or set DEBUG=1 on a development machine."
        )
    # A fixed development key, with DEBUG on only.
    SECRET_KEY = "django-insecure-jianye-development-key-change-me-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "axes",
    "django_tasks",  # the Tasks API backport (django.tasks on Django 6)
    "django_tasks_db",  # its database backend and the db_worker command
    "jianye",
    "accounts",
    "scoping",  # the base the registers build on (scoping rules, admin, resources)
    "communities",
    "staffing",
    "facilities",
    "budgets",
    "reports",
    "overview",  # the dashboard and the yearly basic situation (reads every app's reports)
    "returns",
    "notices",  # notices to the streets, notifications, reminders (read receipts)
    "targets",  # work targets (工作目标) and the progress against them
    "imports",
    "audit",  # after the domain apps: registers their history (audit/history.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jianye.middleware.ChosenLanguageMiddleware",  # zh-hans unless the user chose English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.MustChangePasswordMiddleware",  # a reset password is changed first
    "simple_history.middleware.HistoryRequestMiddleware",  # who made each change
    "audit.security.RefusedAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "jianye.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "jianye.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite has one writer at a time, and the task worker is a second process writing
    # beside the web server (a big import holds its transaction for a while): readers never
    # wait (WAL), a transaction takes the write lock when it starts rather than failing to
    # upgrade later (IMMEDIATE), and a writer waits up to a minute for its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,
        }
    )
# A read replica for reports, off unless DATABASE_REPLICA_URL is set (jianye/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=env_int("CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["jianye.routers.ReportReplicaRouter"]
    MIDDLEWARE.insert(0, "jianye.routers.ReportReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "home"

# Passwords: Argon2 first, at Django's own parameters for it (argon2id, time cost 2, 100 MiB,
# 8 lanes: about 0.19 s of CPU a login against PBKDF2's 0.31 s at Django 5.2's 1,000,000
# iterations); the PBKDF2 hashes stored before verify still and become Argon2 at their
# user's next login. Each hash runs in a thread of its own at nice PASSWORD_HASH_NICE (10),
# so that the pages preempt a login storm instead of queueing behind it (accounts/hashers.py).
# bcrypt is left out of Django's list: no hash of it was ever stored here.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "accounts.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.PBKDF2SHA1PasswordHasher",
    "accounts.hashers.ScryptPasswordHasher",
]
PASSWORD_HASH_NICE = env_int("PASSWORD_HASH_NICE", 10)  # 0: hash in the request's thread
PASSWORD_HASH_THREADS = env_int("PASSWORD_HASH_THREADS", 0)  # per process; 0: the cores

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first: Simplified Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["jianye.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Figures are grouped where they are money or counts (floatformat:"2g", the report renderer);
# not everywhere, or years would read 2,006.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# What collectstatic writes and whitenoise serves (DEBUG off; `make setup` collects).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # whitenoise's compressed manifest storage, without a 500 for what collectstatic
            # has not written (jianye/storage.py; the check audit.W001 says to run it).
            else "jianye.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"

# Sessions live in the database so that app servers stay stateless.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 1800)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is therefore an idle timeout
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login lockout (django-axes): 5 failed attempts for one username from one address lock that
# pair out for 15 minutes. The address is REMOTE_ADDR: the reverse proxy must pass the
# client's address through (e.g. proxy_protocol or a trusted X-Forwarded-For rewrite).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "audit/locked_out.html"

# Content Security Policy (django-csp 4): everything from this site only; no inline script
# anywhere (the admin's and our pages load scripts from files). Inline style is allowed:
# Django admin, django-import-export and the quarterly grid carry small style attributes or
# blocks, and style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# History (django-simple-history): the admin's history pages show, never revert (a revert
# would bypass the change form's version check).
SIMPLE_HISTORY_REVERT_DISABLED = True

SECURE = env_bool("SECURE")
if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# django-import-export: one transaction per import, all or nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Formula-like text is neutralised by ScopedResource.export_field (scoping.spreadsheets),
# which keeps numbers as numbers; the library's own escaping would turn every cell to text.

# The cache: computed summaries (the dashboard, the reports' summaries: audit.data_version)
# shared by every process, so that what the task worker computes after a change is what
# the web processes read. CACHE_URL (or REDIS_URL) chooses it:
# - redis://host:6379/1 (or rediss://): Django's own RedisCache (production, several
#   machines; the ``redis`` package);
# - file:///path: a FileBasedCache in that folder; locmem:// : per process (no sharing);
# - unset: a FileBasedCache under var/cache: shared by the processes of one machine (the
#   web server and db_worker of `make run`), with no server to install and no table to
#   create; chosen over Django's DatabaseCache because on SQLite each cache write would
#   wait for the one writer's lock (a background import holds it for minutes).
CACHE_URL = (os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "").strip()


def cache_from_url(url: str) -> dict:
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL {url!r}: use redis://host:port/db, file:///path or locmem://"
    )


CACHES = {"default": cache_from_url(CACHE_URL)}
# Keys are prefixed with CACHE_KEY_PREFIX (default none): sites sharing one Redis keep apart.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "")
# After a committed change the task worker recomputes the summaries readers have asked for
# (audit.data_version.refresh_summaries, queued once per burst of changes); a reader meanwhile gets
# the previous figures marked as being updated. SUMMARIES_REFRESH=request computes them in
# the request instead (no worker running). SUMMARIES_STALE_SECONDS (60): how long the
# previous figures may be shown while the refresh waits in the queue or runs without
# finishing a summary (a worker down or far behind: the reader then computes them itself).
SUMMARIES_REFRESH = os.environ.get("SUMMARIES_REFRESH", "worker").strip() or "worker"
if SUMMARIES_REFRESH not in ("worker", "request"):
    raise ImproperlyConfigured("SUMMARIES_REFRESH must be 'worker' or 'request'.")
SUMMARIES_STALE_SECONDS = env_int("SUMMARIES_STALE_SECONDS", 60)

# Background work through the Tasks API (django-tasks, with django-tasks-db's database
# backend: the queue is a table, the worker is ``manage.py db_worker``). Admin imports of
# files with more than IMPORT_BACKGROUND_ROWS data rows are checked and written by the worker
# (imports/tasks.py); smaller files in the request. Both call imports.services.import_file.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2000)
# A running job whose process (on another machine) gave no sign of life for this long is
# marked failed (imports.jobs.fail_if_dead); on this machine a dead process is seen at once.
IMPORT_JOB_DEAD_AFTER = env_int("IMPORT_JOB_DEAD_AFTER", 600)

# What a workbook may hold, measured before any reader opens it (imports/file_safety.py): a
# reader lays a sheet out as a grid from A1 to its last cell with a value, so these bound the
# memory an upload can take (about 70 bytes a cell: 2,000,000 cells stay under 400 MB).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)  # data rows of one file
IMPORT_MAX_SHEET_ROWS = env_int("IMPORT_MAX_SHEET_ROWS", 120_000)  # a sheet's last row
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 2_000_000)  # rows × columns of a sheet
IMPORT_MAX_TEXT_CHARS = env_int("IMPORT_MAX_TEXT_CHARS", 20_000_000)  # text in all cells

# The issuing office (制表机关) at the head of every report table.
BUREAU_NAME = os.environ.get("BUREAU_NAME", "").strip() or "建邺区民政局"

# E-mail: every notice and notification (notices.services) also goes to the street users
# who have an address, after the change commits; a failure is logged, never shown. With
# EMAIL_HOST set, through that SMTP server (EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS or EMAIL_USE_SSL, DEFAULT_FROM_EMAIL); without it, printed on the console
# with DEBUG on (development) and not sent at all with DEBUG off. EMAIL_BACKEND overrides.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "jianye@localhost"
# The address of the site as its users reach it (e.g. https://jianye.intranet.example), for
# the links in e-mails; without it a mail says where in the application to look.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
# A notice's attachment (notices.attachments): at most this many bytes (10 MB).
NOTICE_ATTACHMENT_MAX_BYTES = env_int("NOTICE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# A street's quarterly grid posts 18 fields per committee: Django's default of 1,000 fields
# would refuse the grid of a street with more than 55 committees (a 400 and nothing saved).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 20_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "jianye": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

JIANYE = {
    # The name of the district shown in report titles when the database has none yet.
    "REPORT_ISSUER": _("Jianye District Civil Affairs Bureau"),
}
