"""The test identity provider's settings: everything in the folder its test gives
(``MACEHUB_TEST_PROVIDER_DIR``): the SQLite database and the people's claims."""

import os
from pathlib import Path

PROVIDER_DIR = Path(os.environ["MACEHUB_TEST_PROVIDER_DIR"])
PEOPLE_FILE = PROVIDER_DIR / "people.json"

SECRET_KEY = "test-identity-provider-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "macehub.testing.oidc_provider.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [Path(__file__).resolve().parent / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": str(PROVIDER_DIR / "provider.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
# Set by ``serve`` once it has its port.
SITE_URL = ""
OIDC_USERINFO = "macehub.testing.oidc_provider.claims.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "macehub.testing.oidc_provider.claims.add_claims"
