"""WSGI entry point, served by gunicorn: ``gunicorn jianye.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
application = get_wsgi_application()
