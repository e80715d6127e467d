"""Settings for the test suite: the production settings with test-only values filled in.

Two-factor stays required (as in production) so the suite exercises it; tests that log
in mark the session as verified the way the real verification step does.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-for-any-deployment-0123456789abcdef")
os.environ.setdefault("MACEHUB_SSL_REDIRECT", "false")
os.environ.setdefault("MACEHUB_SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from macehub.settings import *  # noqa: F403

# Its `flush` command empties the test database between transactional tests past the
# audit log's refusal of TRUNCATE on PostgreSQL (see its docstring).
INSTALLED_APPS = [*INSTALLED_APPS, "macehub.testing"]  # noqa: F405

# Background tasks run at once, in the request that queues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Figures are worked out on every request in tests (tests of the sharing itself turn a
# real cache on), so one test's figures never leak into another's.
CACHES = {**CACHES, "figures": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The test database is thrown away: commits need not wait for the disk (the browser
    # tests' live server and every transactional test commit, and flush, many times).
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405

# Partner systems' calls are not limited in tests (schemathesis makes many); the limit's
# own tests lower it.
API_CALLS_PER_MINUTE = 1_000_000
