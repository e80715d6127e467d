"""ASGI entry point for MACE Hub."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macehub.settings")
application = get_asgi_application()
