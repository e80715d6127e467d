"""WSGI entry point for MACE Hub."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macehub.settings")
application = get_wsgi_application()
