"""MACE Hub settings, read from the environment (see the README's table).

Outside demo mode nothing insecure is assumed: a strong SECRET_KEY must be given, DEBUG
is refused, cookies are secure, HSTS and a content security policy are sent, every page
needs a login, and every account needs two-factor authentication. Demo mode
(``MACEHUB_DEMO=true``) is for a laptop with synthetic data only; it is announced by a
banner on every page and is the only mode in which two-factor may be off.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from macehub.core.notifications import BACKENDS as NOTIFY_BACKENDS
from macehub.core.notifications import (
    GOVUK_NOTIFY,
    GOVUK_NOTIFY_BASE_URL,
    is_uuid,
    notify_api_key_is_well_formed,
    template_keys,
)
from macehub.envconfig import env_bool, env_int, env_list, env_mapping, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEMO_MODE = env_bool("MACEHUB_DEMO", False)

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
# Outside demo mode these are refusals, not the warnings of `check --deploy`: a hub
# holding real children's records must not start with debug pages that show its settings
# and code, or with a signing key short or plain enough to guess (Django's own test of a
# key, so the refusal and `check --deploy` cannot disagree).
if not DEMO_MODE and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG=true is allowed only in demo mode (MACEHUB_DEMO=true): debug pages show "
        "settings, code and data to anyone who causes an error"
    )
if not DEMO_MODE and not (
    len(SECRET_KEY) >= SECRET_KEY_MIN_LENGTH
    and len(set(SECRET_KEY)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS
    and not SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    raise ImproperlyConfigured(
        f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} random characters outside "
        "demo mode (for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEMO_MODE else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the host names MACE Hub is served on (comma-separated)"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Two-factor authentication is required for every account; only demo mode may turn it off.
REQUIRE_TWO_FACTOR = env_bool("MACEHUB_REQUIRE_2FA", not DEMO_MODE)
if not REQUIRE_TWO_FACTOR and not DEMO_MODE:
    raise ImproperlyConfigured(
        "MACEHUB_REQUIRE_2FA=false is allowed only in demo mode (MACEHUB_DEMO=true)"
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "macehub.core",
    "macehub.ui",
    "macehub.accounts",
    "macehub.access",
    "macehub.audit",
    "macehub.people",
    "macehub.referrals",
    "macehub.cases",
    "macehub.intelligence",
    "macehub.networks",
    "macehub.meetings",
    "macehub.investigations",
    "macehub.forensics",
    "macehub.disruption",
    "macehub.performance",
    "macehub.equality",
    "macehub.profile",
    "macehub.training",
    "macehub.workforce",
    "macehub.accountability",
    "macehub.governance",
    "macehub.demo",
]

MIDDLEWARE = [
    # First: a load balancer's probe is answered before sessions, sign-in, the HTTPS
    # redirect or the host check (macehub.core.outage).
    "macehub.core.outage.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "macehub.accounts.sessions.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "macehub.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sign-in and messages: a duplicate POST is answered with a message, for its user.
    "macehub.core.submissions.SubmissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "macehub.urls"
WSGI_APPLICATION = "macehub.wsgi.application"
ASGI_APPLICATION = "macehub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "macehub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "macehub.access.context_processors.hub_context",
            ],
            # The hub's {% csrf_token %}: every POST form also carries a one-time
            # submission token (macehub.core.submissions).
            "builtins": ["macehub.core.templatetags.submission_tokens"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'macehub.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection that died (the database restarted) is replaced at the start
        # of the next request rather than failing it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so audit entries chain in order.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the hub's queries are short lookups through indexes, and on
    # force-scale data the planner's estimates (a search's access filter across cases,
    # people and shares) set JIT off compiling for 1-2 s a query that then runs in
    # tens of milliseconds (EXPLAIN ANALYZE of person and entity search).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # An unreachable database fails a request within seconds (the 503 page), rather than
    # holding it, and its worker, for the operating system's TCP timeout.
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT_SECONDS", 5, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "macehub.accounts.backends.HubModelBackend",
]

# Reverse proxies in front of the hub that append to X-Forwarded-For (0: none, the
# hub is reached directly). The client's address is the entry that many from the right;
# one function (macehub.core.client_address) gives it to lockout and the audit log.
TRUSTED_PROXY_COUNT = env_int("MACEHUB_TRUSTED_PROXIES", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "macehub.core.client_address.client_address"

# Lock a username at one address after repeated failed sign-ins, so that failures from
# elsewhere cannot lock its owner out; and pause sign-ins from an address after more
# failures across usernames (macehub.accounts.lockout, as axes has one limit only).
AXES_FAILURE_LIMIT = env_int("MACEHUB_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("MACEHUB_LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "macehub.accounts.lockout.HubLockoutHandler"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
LOGIN_ADDRESS_FAILURE_LIMIT = env_int(
    "MACEHUB_LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=AXES_FAILURE_LIMIT
)

# Single sign-on with OpenID Connect (macehub.accounts.single_sign_on). Each agency's own
# provider is data (accounts.IdentityProvider, on the administration pages); the
# hub-wide provider configured here is off unless MACEHUB_OIDC_CLIENT_ID is set: then
# its endpoints and the client's secret are required, and the sign-in page offers
# "Sign in with <MACEHUB_OIDC_PROVIDER_NAME>". The organisation claim (or
# "email_domain") names the agency, the groups claim the team;
# the provider's sign-in counts as the second factor only when its ID token's amr claim
# holds one of MACEHUB_OIDC_MFA_METHODS.
OIDC_RP_CLIENT_ID = env_str("MACEHUB_OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("MACEHUB_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("MACEHUB_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("MACEHUB_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("MACEHUB_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("MACEHUB_OIDC_JWKS_ENDPOINT", "")
OIDC_PROVIDER_NAME = env_str("MACEHUB_OIDC_PROVIDER_NAME", "your organisation's account")
OIDC_ORGANISATION_CLAIM = env_str("MACEHUB_OIDC_ORGANISATION_CLAIM", "org")
OIDC_GROUPS_CLAIM = env_str("MACEHUB_OIDC_GROUPS_CLAIM", "groups")
OIDC_MFA_METHODS = env_list("MACEHUB_OIDC_MFA_METHODS", ["mfa", "otp", "hwk", "sc"])
OIDC_RP_SCOPES = " ".join(["openid", "email", "profile",
                           *env_list("MACEHUB_OIDC_EXTRA_SCOPES", [])])
OIDC_RP_SIGN_ALGO = env_str("MACEHUB_OIDC_SIGN_ALGORITHM", "RS256")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("MACEHUB_OIDC_TIMEOUT_SECONDS", 10, minimum=1)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
if OIDC_ENABLED:
    _oidc_required = {
        "MACEHUB_OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "MACEHUB_OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "MACEHUB_OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "MACEHUB_OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
        "MACEHUB_OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
    }
    _oidc_missing = sorted(name for name, value in _oidc_required.items() if not value)
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"MACEHUB_OIDC_CLIENT_ID is set, so single sign-on needs {', '.join(_oidc_missing)}"
        )
    _oidc_plain = sorted(name for name, value in _oidc_required.items()
                         if name.endswith("ENDPOINT") and not value.startswith("https://"))
    if _oidc_plain and not DEMO_MODE:
        raise ImproperlyConfigured(f"{', '.join(_oidc_plain)}: each must be an https:// URL")
# Always there: besides the hub-wide provider above, each agency may have its own,
# kept as data (accounts.IdentityProvider) and added by hub administrators while the hub
# runs. The backend acts only on single sign-on's callback.
AUTHENTICATION_BACKENDS.append("macehub.accounts.single_sign_on.HubOIDCBackend")

# Only for measuring what auditing costs (the benchmark compares audited and unaudited
# throughput): record_event then records nothing, and check audit.W001 warns loudly.
AUDIT_OFF_FOR_BENCHMARK = env_bool("MACEHUB_BENCHMARK_AUDIT_OFF", False)

# Sessions end after a period without activity: accounts.sessions moves a signed-in
# session's expiry forward when it is a minute old, rather than saving the session on
# every request.
SESSION_COOKIE_AGE = env_int("MACEHUB_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

SECURE_COOKIES = env_bool("MACEHUB_SECURE_COOKIES", not DEMO_MODE)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("MACEHUB_SSL_REDIRECT", not DEMO_MODE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("MACEHUB_HSTS_SECONDS", 0 if DEMO_MODE else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEMO_MODE
SECURE_HSTS_PRELOAD = not DEMO_MODE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The problem profile's map draws boundaries and points on a plain background; a
# deployment with a tile server of its own may give its URL template, e.g.
# "https://tiles.example.org/{z}/{x}/{y}.png" (its origin is then allowed to serve images).
MAP_TILE_URL = env_str("MACEHUB_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MACEHUB_MAP_TILE_ATTRIBUTION", "")
_MAP_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL else ""
if MAP_TILE_URL and not MAP_TILE_URL.startswith("https://"):
    raise ImproperlyConfigured("MACEHUB_MAP_TILE_URL must be an https:// URL template")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_MAP_TILE_ORIGIN] if _MAP_TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# GOV.UK Frontend's precompiled stylesheet looks for its fonts and images under /assets/.
STATIC_URL = "/assets/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "build" / "assets", BASE_DIR / "macehub" / "static"]
WHITENOISE_USE_FINDERS = DEMO_MODE or DEBUG

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO_MODE
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mace-hub@example.invalid")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not DEMO_MODE)
# Notifications (macehub.core.notifications): by e-mail through the settings above, or
# through GOV.UK Notify. With Notify, start-up is refused without an API key (best as a
# file: MACEHUB_NOTIFY_API_KEY_FILE) or without a template id for each of the hub's
# messages (the directories in templates/notifications), so that no message is lost
# silently the first time it is due.
NOTIFY_BACKEND = env_str("MACEHUB_NOTIFY_BACKEND", "smtp")
if NOTIFY_BACKEND not in NOTIFY_BACKENDS:
    raise ImproperlyConfigured(
        f"MACEHUB_NOTIFY_BACKEND must be one of {', '.join(NOTIFY_BACKENDS)}, "
        f"not {NOTIFY_BACKEND!r}"
    )
NOTIFY_BASE_URL = env_str("MACEHUB_NOTIFY_BASE_URL", GOVUK_NOTIFY_BASE_URL)
NOTIFY_TIMEOUT_SECONDS = env_int("MACEHUB_NOTIFY_TIMEOUT_SECONDS", 30, minimum=1)
NOTIFY_API_KEY = ""
NOTIFY_TEMPLATES: dict[str, str] = {}
if NOTIFY_BACKEND == GOVUK_NOTIFY:
    NOTIFY_API_KEY = env_str("MACEHUB_NOTIFY_API_KEY")
    if not notify_api_key_is_well_formed(NOTIFY_API_KEY):
        raise ImproperlyConfigured(
            "MACEHUB_NOTIFY_API_KEY must be a GOV.UK Notify API key: its name, the service "
            "id and the secret (two UUIDs), joined by hyphens"
        )
    NOTIFY_TEMPLATES = env_mapping("MACEHUB_NOTIFY_TEMPLATES", {})
    _not_ids = sorted(key for key, value in NOTIFY_TEMPLATES.items() if not is_uuid(value))
    if _not_ids:
        raise ImproperlyConfigured(
            f"MACEHUB_NOTIFY_TEMPLATES: the template id of {', '.join(_not_ids)} is not a UUID"
        )
    _missing = sorted(set(template_keys()) - set(NOTIFY_TEMPLATES))
    _unknown = sorted(set(NOTIFY_TEMPLATES) - set(template_keys()))
    if _missing or _unknown:
        raise ImproperlyConfigured(
            "MACEHUB_NOTIFY_TEMPLATES must give a GOV.UK Notify template id for each of "
            f"{', '.join(template_keys())}"
            + (f"; missing: {', '.join(_missing)}" if _missing else "")
            + (f"; unknown: {', '.join(_unknown)}" if _unknown else "")
        )

# How many calls a minute each partner system may make to the API.
API_CALLS_PER_MINUTE = env_int("MACEHUB_API_CALLS_PER_MINUTE", 600, minimum=1)
REST_FRAMEWORK = {
    # A partner system's bearer token first (its 401 names the scheme), then the session.
    "DEFAULT_AUTHENTICATION_CLASSES": ["macehub.access.api.ApiClientAuthentication",
                                       "macehub.access.api.HubSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["macehub.access.api.PolicyPermission"],
    # A partner system calling faster than its limit is answered 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["macehub.access.api.PartnerSystemRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "macehub.access.api_schema.HubAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MACE Hub API",
    "DESCRIPTION": "The MACE Hub REST API. Every call is subject to the hub's access policy "
    "and personal data reads are audited.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every POST takes an Idempotency-Key (macehub.core.submissions).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "macehub.core.submissions.openapi_idempotency_key"],
    # Several records have a "status" from different code lists: each its own name.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "macehub.intelligence.codes.ReportStatus",
        "InvestigationStatusEnum": "macehub.investigations.codes.InvestigationStatus",
        "LineOfEnquiryStatusEnum": "macehub.investigations.codes.EnquiryStatus",
        "ExhibitStageEnum": "macehub.forensics.codes.ExhibitStage",
        "AttendanceStatusEnum": "macehub.meetings.codes.AttendanceStatus",
        "MeetingActionStatusEnum": "macehub.meetings.codes.ActionStatus",
        "DisruptionStatusEnum": "macehub.disruption.codes.DisruptionStatus",
        "ExhibitPriorityEnum": "macehub.forensics.codes.ExhibitPriority",
        # Intelligence's keeps the name it had before exhibits had a priority too.
        "PriorityEnum": "macehub.intelligence.codes.Priority",
        "TriageOutcomeEnum": "macehub.referrals.codes.TriageOutcome",
        "OutcomeEnum": "macehub.investigations.codes.OutcomeCode",
        "IdentifierKindEnum": "macehub.people.codes.IdentifierKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # GOV.UK Notify's client logs a refusal with Notify's answer, which can quote the
    # recipient; macehub.core.notifications logs the refusal without it instead.
    "loggers": {"notifications_python_client": {"level": "ERROR"}},
}

# A referral's two clocks (DOMAIN.md). Every referral needs a triage decision within one
# working day (Working Together 2023), whatever its rating; the BRAG rating sets how soon
# partner agencies' checks are due: hours, or working days. Working days skip weekends
# and England and Wales bank holidays.
REFERRAL_DECISION_CLOCK = {"working_days": env_int("MACEHUB_DECISION_WORKING_DAYS", 1)}
PARTNER_CHECK_CLOCKS = {
    "red": {"hours": env_int("MACEHUB_PARTNER_CHECK_RED_HOURS", 2)},
    "amber": {"hours": env_int("MACEHUB_PARTNER_CHECK_AMBER_HOURS", 6)},
    "green": {"hours": env_int("MACEHUB_PARTNER_CHECK_GREEN_HOURS", 24)},
    "blue": {"working_days": env_int("MACEHUB_PARTNER_CHECK_BLUE_WORKING_DAYS", 1)},
}
# Screening thresholds: a suggestion only; a person decides.
SCREENING_THRESHOLDS = {"high": 10, "medium": 5, "low": 1, "high_indicators_for_high": 2}
# A return home interview is due within this many hours of a missing child's return.
RETURN_INTERVIEW_HOURS = env_int("MACEHUB_RETURN_INTERVIEW_HOURS", 72)
# This many missing episodes within the window prompts a strategy meeting (local rule).
MISSING_EPISODES_FOR_STRATEGY_MEETING = env_int("MACEHUB_MISSING_EPISODES_THRESHOLD", 3)
MISSING_EPISODES_WINDOW_DAYS = env_int("MACEHUB_MISSING_EPISODES_WINDOW_DAYS", 30)
# A case's exploitation risk is reassessed on a cadence set by its risk tier, in weeks
# (``cases.reviews`` checks the setting: every tier, whole weeks of 1 or more).
RISK_REVIEW_WEEKS = {
    "high": env_int("MACEHUB_RISK_REVIEW_HIGH_WEEKS", 4, minimum=1),
    "medium": env_int("MACEHUB_RISK_REVIEW_MEDIUM_WEEKS", 8, minimum=1),
    "low": env_int("MACEHUB_RISK_REVIEW_LOW_WEEKS", 12, minimum=1),
}
# An investigation's supervisory reviews (APP reviewing duties; local policy): the first
# within this many hours of allocation, then at this interval in days while it is open
# (and before a charging decision and before closure, when asked for).
INVESTIGATION_ALLOCATION_REVIEW_HOURS = env_int(
    "MACEHUB_INVESTIGATION_ALLOCATION_REVIEW_HOURS", 24, minimum=1)
INVESTIGATION_REVIEW_INTERVAL_DAYS = env_int(
    "MACEHUB_INVESTIGATION_REVIEW_INTERVAL_DAYS", 28, minimum=1)
# Digital forensics (local policy, *check*): a seized device is triaged (a kiosk
# examination) within these hours of its seizure, by priority; one that needs a full
# examination has its report due this many days after triage. Each exhibit keeps the due
# times worked out when it was recorded, so a change here does not move history. An
# exhibit still waiting this many days after seizure is flagged as old.
FORENSICS_TRIAGE_HOURS_IMMEDIATE_RISK = env_int(
    "MACEHUB_FORENSICS_TRIAGE_HOURS_IMMEDIATE_RISK", 48, minimum=1)
FORENSICS_TRIAGE_HOURS_GROUP_BASED = env_int(
    "MACEHUB_FORENSICS_TRIAGE_HOURS_GROUP_BASED", 120, minimum=1)
FORENSICS_TRIAGE_HOURS_OTHER = env_int("MACEHUB_FORENSICS_TRIAGE_HOURS_OTHER", 336, minimum=1)
FORENSICS_FULL_EXAMINATION_DAYS = env_int("MACEHUB_FORENSICS_FULL_EXAMINATION_DAYS", 28,
                                          minimum=1)
FORENSICS_OLD_EXHIBIT_DAYS = env_int("MACEHUB_FORENSICS_OLD_EXHIBIT_DAYS", 90, minimum=1)
# Meetings: remind_meeting_actions e-mails an action's owner when it is due within this
# many days, or overdue (at most once a day per action).
MEETING_ACTION_REMINDER_DAYS = env_int("MACEHUB_MEETING_ACTION_REMINDER_DAYS", 2, minimum=0)
# Disruption register: a disruption in force that expires within this many days is on
# its lead officer's and the hub supervisors' work queues.
DISRUPTION_EXPIRY_NOTICE_DAYS = env_int("MACEHUB_DISRUPTION_EXPIRY_NOTICE_DAYS", 28,
                                        minimum=1)
# Capacity against demand: the weighted caseload a worker may safely hold, the level the
# caseload page and the resourcing report compare each worker with unless the reader
# chooses another.
MACEHUB_WORKFORCE_SAFE_CASELOAD = env_int("MACEHUB_WORKFORCE_SAFE_CASELOAD", 12, minimum=1)
# Training: a record of required training that expires within this many days is on the
# expiring list and the work queues of its person and their agency's training lead.
TRAINING_EXPIRING_DAYS = env_int("MACEHUB_TRAINING_EXPIRING_DAYS", 60, minimum=1)

# Anything that leaves the hub hides counts below this (with secondary suppression).
SUPPRESSION_THRESHOLD = env_int("MACEHUB_SUPPRESSION_THRESHOLD", 5)

# The dashboard's figures are worked out once and shared for this many seconds
# (performance.live_figures); `manage.py refresh_figures` works them out ahead.
# The "figures" cache lives in files under MACEHUB_FIGURES_CACHE_DIR, so every gunicorn
# worker and the refresh command share it.
MACEHUB_FIGURES_SECONDS = env_int("MACEHUB_FIGURES_SECONDS", 300, minimum=1)
# Background work (a partner's list linked from the analysts' page): queued in the
# database, run by `manage.py db_worker` (`make demo` starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Partner systems' recent API calls, counted in the database so that every web worker
    # counts against the same limit (the table is made by a migration).
    "api_throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "macehub_api_throttle",
    },
    "figures": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("MACEHUB_FIGURES_CACHE_DIR",
                            str(BASE_DIR / "var" / "cache" / "figures")),
    },
}

# Intelligence should be reviewed within this many days of receipt (a performance target).
INTELLIGENCE_REVIEW_DAYS = env_int("MACEHUB_INTELLIGENCE_REVIEW_DAYS", 7)

# Benchmarking only (manage.py bench_pages sets it for the server it starts): serve a
# bare authenticated view to measure the hub's pages against. A system check warns.
BENCHMARK_BARE_VIEW = env_bool("MACEHUB_BENCHMARK", False)

# The hub's display name, shown in the header and footer.
HUB_TEAM_LABEL = env_str("MACEHUB_HUB_NAME", "MACE Hub")
# The hub's out-of-hours telephone line, given on the "service unavailable" page.
OUT_OF_HOURS_PHONE = env_str("MACEHUB_OUT_OF_HOURS_PHONE", "")
