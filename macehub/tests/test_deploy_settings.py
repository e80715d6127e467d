"""Production settings are safe by default, and the environment readers fail loudly.

``macehub/settings.py`` is run here with production-like and demo environments: in a
fresh interpreter (``manage.py check --deploy``, a missing SECRET_KEY) or, for the
faster cases, with ``runpy`` so that the test suite's own settings are not disturbed.
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from macehub.envconfig import env_bool, env_int, env_list, env_str

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_PATH = PROJECT_ROOT / "macehub" / "settings.py"
SETTINGS_SOURCE = SETTINGS_PATH.read_text(encoding="utf-8")

# Every variable settings.py reads, found in its source so that a new one is covered too.
SETTINGS_VARIABLES = sorted(
    set(re.findall(r"env_(?:str|bool|int|list|mapping)\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS_SOURCE))
)
PRODUCTION_HOST = "mace-hub.example.org"


def test_the_variable_list_is_read_from_settings() -> None:
    # Guards the regular expression above: if it matched nothing, every test below that
    # clears the environment would silently clear nothing.
    assert {"SECRET_KEY", "MACEHUB_DEMO", "MACEHUB_REQUIRE_2FA", "DATABASE_URL"} <= set(
        SETTINGS_VARIABLES
    )


def clean_environment(**values: str) -> dict[str, str]:
    """This process's environment without any setting (nor its ``_FILE`` form), plus
    ``values``. The test settings and plugins put test-only values into ``os.environ``;
    they must not leak into a production-like run."""
    removed = {*SETTINGS_VARIABLES, *(f"{name}_FILE" for name in SETTINGS_VARIABLES)}
    # The browser-test plugin allows ORM calls beside Playwright's event loop; no
    # deployment does, and check --deploy says so.
    removed |= {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in removed}
    environment.update(values)
    return environment


def production_environment(**values: str) -> dict[str, str]:
    return clean_environment(
        DJANGO_SETTINGS_MODULE="macehub.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=PRODUCTION_HOST,
        **values,
    )


def run_in_subprocess(arguments: list[str], environment: dict[str, str]) -> Any:
    return subprocess.run(  # noqa: S603 - fixed arguments, this interpreter
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run settings.py afresh with only the given variables set; return its names."""

    def load(**values: str) -> dict[str, Any]:
        for name in SETTINGS_VARIABLES:
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(f"{name}_FILE", raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_PATH), run_name="macehub_settings_under_test")

    return load


# --- The deployment checklist ---------------------------------------------------------


def test_production_settings_pass_djangos_deployment_checks() -> None:
    result = run_in_subprocess(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(),
    )
    output = result.stdout + result.stderr
    hint = ""
    if "staticfiles.W004" in output:
        hint = "\n(build/assets is missing: run `make assets` or scripts/build_assets.sh)"
    assert result.returncode == 0, f"check --deploy failed:\n{output}{hint}"


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_settings_refuse_to_load_without_a_secret_key(secret_key: str | None) -> None:
    environment = production_environment()
    del environment["SECRET_KEY"]
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key
    result = run_in_subprocess(["-c", "import macehub.settings"], environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_the_secret_key_can_come_from_a_file(load_settings: Any, tmp_path: Path) -> None:
    key_file = tmp_path / "secret-key"
    key = "a-key-from-a-mounted-secret-" + secrets.token_urlsafe(40)
    key_file.write_text(f"{key}\n", encoding="utf-8")
    settings = load_settings(SECRET_KEY_FILE=str(key_file), ALLOWED_HOSTS=PRODUCTION_HOST)
    assert settings["SECRET_KEY"] == key


@pytest.mark.parametrize(
    "secret_key",
    [
        secrets.token_urlsafe(64)[:49],
        "ab" * 40,
        "django-insecure-" + secrets.token_urlsafe(64),
    ],
    ids=["49-characters", "4-different-characters", "django-insecure-prefix"],
)
def test_a_weak_secret_key_stops_start_up_outside_demo_mode(
    load_settings: Any, secret_key: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be at least 50 random"):
        load_settings(SECRET_KEY=secret_key, ALLOWED_HOSTS=PRODUCTION_HOST)


def test_a_fifty_character_key_is_enough(load_settings: Any) -> None:
    key = secrets.token_urlsafe(64)[:50]
    assert load_settings(SECRET_KEY=key, ALLOWED_HOSTS=PRODUCTION_HOST)["SECRET_KEY"] == key


def test_debug_stops_start_up_outside_demo_mode(load_settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG=true is allowed only in demo mode"):
        load_settings(
            SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST, DEBUG="true"
        )


def test_demo_mode_may_debug_with_any_key(load_settings: Any) -> None:
    # A laptop demo is allowed what production is not; `make demo` writes a strong key
    # anyway (below).
    settings = load_settings(SECRET_KEY="short-demo-key", MACEHUB_DEMO="true", DEBUG="true")
    assert settings["DEBUG"] is True


def test_the_keys_the_project_makes_are_strong_enough(load_settings: Any) -> None:
    """The test settings' key and the one `make demo` writes both pass the refusal, so
    neither the suite nor the demo depends on demo mode's leniency."""
    test_settings = (PROJECT_ROOT / "macehub" / "test_settings.py").read_text(encoding="utf-8")
    found = re.search(r'setdefault\("SECRET_KEY", "([^"]+)"\)', test_settings)
    assert found is not None
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "secrets.token_urlsafe(64)" in makefile
    for key in (found.group(1), secrets.token_urlsafe(64)):
        assert load_settings(SECRET_KEY=key, ALLOWED_HOSTS=PRODUCTION_HOST)["SECRET_KEY"] == key


# --- Production mode and demo mode ------------------------------------------------------


def test_production_mode_is_secure_by_default(load_settings: Any) -> None:
    settings = load_settings(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST)
    assert settings["DEMO_MODE"] is False
    assert settings["REQUIRE_TWO_FACTOR"] is True
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == [PRODUCTION_HOST]
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings["MIDDLEWARE"]
    assert "macehub.accounts.middleware.TwoFactorRequiredMiddleware" in settings["MIDDLEWARE"]


def test_demo_mode_turns_two_factor_off_for_a_laptop(load_settings: Any) -> None:
    settings = load_settings(SECRET_KEY=secrets.token_urlsafe(64), MACEHUB_DEMO="true")
    assert settings["DEMO_MODE"] is True
    assert settings["REQUIRE_TWO_FACTOR"] is False
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_demo_mode_can_still_require_two_factor(load_settings: Any) -> None:
    settings = load_settings(
        SECRET_KEY=secrets.token_urlsafe(64), MACEHUB_DEMO="true", MACEHUB_REQUIRE_2FA="true"
    )
    assert settings["REQUIRE_TWO_FACTOR"] is True


def test_two_factor_cannot_be_turned_off_outside_demo_mode(load_settings: Any) -> None:
    try:
        load_settings(
            SECRET_KEY=secrets.token_urlsafe(64),
            ALLOWED_HOSTS=PRODUCTION_HOST,
            MACEHUB_REQUIRE_2FA="false",
        )
    except ImproperlyConfigured as error:
        assert "MACEHUB_REQUIRE_2FA" in str(error)
    else:
        raise AssertionError("MACEHUB_REQUIRE_2FA=false was accepted outside demo mode")


def test_sign_in_lockout_and_client_address_settings(load_settings: Any) -> None:
    production = {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": PRODUCTION_HOST}
    settings = load_settings(**production)
    assert settings["TRUSTED_PROXY_COUNT"] == 0
    assert settings["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert settings["AXES_FAILURE_LIMIT"] == 5
    assert settings["LOGIN_ADDRESS_FAILURE_LIMIT"] == 50
    # Lockout and the audit log take the client's address from the one function.
    assert settings["AXES_CLIENT_IP_CALLABLE"] == "macehub.core.client_address.client_address"
    settings = load_settings(
        **production, MACEHUB_TRUSTED_PROXIES="2", MACEHUB_LOGIN_ADDRESS_FAILURE_LIMIT="80"
    )
    assert settings["TRUSTED_PROXY_COUNT"] == 2
    assert settings["LOGIN_ADDRESS_FAILURE_LIMIT"] == 80


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"MACEHUB_TRUSTED_PROXIES": "-1"}, "MACEHUB_TRUSTED_PROXIES must be 0 or more"),
        ({"MACEHUB_LOGIN_FAILURE_LIMIT": "0"}, "MACEHUB_LOGIN_FAILURE_LIMIT must be 1 or more"),
        # Below the per-user limit, pausing the address would come first and the
        # per-user lock would never be reached.
        (
            {"MACEHUB_LOGIN_FAILURE_LIMIT": "10", "MACEHUB_LOGIN_ADDRESS_FAILURE_LIMIT": "9"},
            "MACEHUB_LOGIN_ADDRESS_FAILURE_LIMIT must be 10 or more",
        ),
    ],
    ids=["negative-proxies", "no-failures-allowed", "address-limit-below-user-limit"],
)
def test_lockout_settings_that_make_no_sense_stop_start_up(
    load_settings: Any, values: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST,
                      **values)


def test_hub_wide_single_sign_on_is_off_unless_a_client_is_configured(
    load_settings: Any
) -> None:
    production = {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": PRODUCTION_HOST}
    settings = load_settings(**production)
    assert settings["OIDC_ENABLED"] is False
    # The backend is there all the same, for the agencies' own providers (data).
    assert settings["AUTHENTICATION_BACKENDS"][-1] == (
        "macehub.accounts.single_sign_on.HubOIDCBackend")
    provider = {
        "MACEHUB_OIDC_CLIENT_ID": "mace-hub", "MACEHUB_OIDC_CLIENT_SECRET": "s3cret",
        **{f"MACEHUB_OIDC_{name}_ENDPOINT": f"https://id.northshire.example/{name.lower()}"
           for name in ("AUTHORIZATION", "TOKEN", "USERINFO", "JWKS")},
    }
    settings = load_settings(**production, **provider)
    assert settings["OIDC_ENABLED"] is True
    assert settings["AUTHENTICATION_BACKENDS"][-1] == (
        "macehub.accounts.single_sign_on.HubOIDCBackend")
    assert settings["OIDC_MFA_METHODS"] == ["mfa", "otp", "hwk", "sc"]
    with pytest.raises(ImproperlyConfigured, match="needs MACEHUB_OIDC_CLIENT_SECRET"):
        load_settings(**production, **{**provider, "MACEHUB_OIDC_CLIENT_SECRET": ""})
    with pytest.raises(ImproperlyConfigured, match="MACEHUB_OIDC_TOKEN_ENDPOINT: each must be"):
        load_settings(**production, **{**provider,
                                       "MACEHUB_OIDC_TOKEN_ENDPOINT": "http://id.example/t"})


def test_the_readme_documents_every_setting() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in SETTINGS_VARIABLES if f"`{name}`" not in readme]
    assert not missing, f"README.md's table of environment variables lacks {missing}"


# --- The environment readers (macehub/envconfig.py) ------------------------------------


@pytest.mark.parametrize("text", ["1", "true", "TRUE", "yes", "on", " True "])
def test_env_bool_reads_true(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("MACEHUB_TEST_FLAG", text)
    assert env_bool("MACEHUB_TEST_FLAG", False) is True


@pytest.mark.parametrize("text", ["0", "false", "No", "off", ""])
def test_env_bool_reads_false(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("MACEHUB_TEST_FLAG", text)
    assert env_bool("MACEHUB_TEST_FLAG", True) is False


def test_env_bool_uses_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MACEHUB_TEST_FLAG", raising=False)
    assert env_bool("MACEHUB_TEST_FLAG", True) is True
    assert env_bool("MACEHUB_TEST_FLAG", False) is False


@pytest.mark.parametrize("text", ["maybe", "2", "enabled"])
def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("MACEHUB_TEST_FLAG", text)
    expected = rf"MACEHUB_TEST_FLAG must be true or false, not '{text}'"
    with pytest.raises(ImproperlyConfigured, match=expected):
        env_bool("MACEHUB_TEST_FLAG", False)


def test_env_int_reads_a_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACEHUB_TEST_NUMBER", "45")
    assert env_int("MACEHUB_TEST_NUMBER", 30) == 45


@pytest.mark.parametrize("text", [None, ""], ids=["unset", "empty"])
def test_env_int_uses_the_default_when_unset_or_empty(
    monkeypatch: pytest.MonkeyPatch, text: str | None
) -> None:
    monkeypatch.delenv("MACEHUB_TEST_NUMBER", raising=False)
    if text is not None:
        monkeypatch.setenv("MACEHUB_TEST_NUMBER", text)
    assert env_int("MACEHUB_TEST_NUMBER", 30) == 30


def test_env_int_refuses_a_number_below_its_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACEHUB_TEST_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="MACEHUB_TEST_NUMBER must be 0 or more"):
        env_int("MACEHUB_TEST_NUMBER", 30, minimum=0)
    monkeypatch.setenv("MACEHUB_TEST_NUMBER", "0")
    assert env_int("MACEHUB_TEST_NUMBER", 30, minimum=0) == 0


@pytest.mark.parametrize("text", ["thirty", "1.5", "30m"])
def test_env_int_refuses_anything_else(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("MACEHUB_TEST_NUMBER", text)
    with pytest.raises(ImproperlyConfigured, match="MACEHUB_TEST_NUMBER must be a whole number"):
        env_int("MACEHUB_TEST_NUMBER", 30)


def test_env_str_requires_a_value_without_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MACEHUB_TEST_TEXT", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MACEHUB_TEST_TEXT must be set"):
        env_str("MACEHUB_TEST_TEXT")
    monkeypatch.setenv("MACEHUB_TEST_TEXT", "")
    with pytest.raises(ImproperlyConfigured, match="MACEHUB_TEST_TEXT must be set"):
        env_str("MACEHUB_TEST_TEXT")
    assert env_str("MACEHUB_TEST_TEXT", "fallback") == "fallback"


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACEHUB_TEST_LIST", " mace-hub.example.org, ,hub.example.org,")
    assert env_list("MACEHUB_TEST_LIST", []) == ["mace-hub.example.org", "hub.example.org"]
    monkeypatch.delenv("MACEHUB_TEST_LIST")
    assert env_list("MACEHUB_TEST_LIST", ["localhost"]) == ["localhost"]


def test_a_file_variable_is_read_and_stripped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("  from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("MACEHUB_TEST_TEXT_FILE", str(secret))
    monkeypatch.setenv("MACEHUB_TEST_TEXT", "from-the-environment")
    # The file wins: a deployment that mounts secrets as files means them to be used.
    assert env_str("MACEHUB_TEST_TEXT") == "from-the-file"


def test_every_reader_accepts_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, text in [("FLAG", "yes\n"), ("NUMBER", "12\n"), ("LIST", "a,b\n")]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(f"MACEHUB_TEST_{name}_FILE", str(path))
    assert env_bool("MACEHUB_TEST_FLAG", False) is True
    assert env_int("MACEHUB_TEST_NUMBER", 0) == 12
    assert env_list("MACEHUB_TEST_LIST", []) == ["a", "b"]


def test_a_missing_file_is_an_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-secret"
    monkeypatch.setenv("MACEHUB_TEST_TEXT_FILE", str(missing))
    monkeypatch.setenv("MACEHUB_TEST_TEXT", "would-be-ignored")
    expected = "MACEHUB_TEST_TEXT_FILE points at .*not a file"
    with pytest.raises(ImproperlyConfigured, match=expected):
        env_str("MACEHUB_TEST_TEXT", "default")


def test_a_directory_is_not_a_secret_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MACEHUB_TEST_TEXT_FILE", str(tmp_path))
    with pytest.raises(ImproperlyConfigured, match="not a file"):
        env_str("MACEHUB_TEST_TEXT")


def test_settings_refuse_to_load_without_allowed_hosts_outside_demo_mode() -> None:
    environment = production_environment()
    environment.pop("ALLOWED_HOSTS", None)
    result = run_in_subprocess(["-c", "import macehub.settings"], environment)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name the host names" in result.stderr


# --- Notifications ----------------------------------------------------------------------

NOTIFY_KEY = (
    "macehub_live-3f0c5b8e-1d2a-4c6b-9e7f-0a1b2c3d4e5f-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
)
NOTIFY_TEMPLATES = (
    "referral_decided=11111111-2222-4333-8444-555555555555,"
    "meeting_action_reminder=66666666-7777-4888-9999-aaaaaaaaaaaa"
)


def test_notifications_go_by_smtp_unless_told_otherwise(load_settings: Any) -> None:
    settings = load_settings(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST)
    assert settings["NOTIFY_BACKEND"] == "smtp"
    assert settings["NOTIFY_API_KEY"] == "" and settings["NOTIFY_TEMPLATES"] == {}


def test_govuk_notify_with_a_key_file_and_every_template(
    load_settings: Any, tmp_path: Path
) -> None:
    key_file = tmp_path / "notify-key"
    key_file.write_text(f"{NOTIFY_KEY}\n", encoding="utf-8")
    settings = load_settings(
        SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST,
        MACEHUB_NOTIFY_BACKEND="govuk_notify", MACEHUB_NOTIFY_API_KEY_FILE=str(key_file),
        MACEHUB_NOTIFY_TEMPLATES=NOTIFY_TEMPLATES,
        MACEHUB_NOTIFY_BASE_URL="http://127.0.0.1:6011",
    )
    assert settings["NOTIFY_API_KEY"] == NOTIFY_KEY
    assert settings["NOTIFY_TEMPLATES"] == {
        "referral_decided": "11111111-2222-4333-8444-555555555555",
        "meeting_action_reminder": "66666666-7777-4888-9999-aaaaaaaaaaaa",
    }
    assert settings["NOTIFY_BASE_URL"] == "http://127.0.0.1:6011"


def test_the_notify_base_url_is_notifys_own_by_default(load_settings: Any) -> None:
    settings = load_settings(
        SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST,
        MACEHUB_NOTIFY_BACKEND="govuk_notify", MACEHUB_NOTIFY_API_KEY=NOTIFY_KEY,
        MACEHUB_NOTIFY_TEMPLATES=NOTIFY_TEMPLATES,
    )
    assert settings["NOTIFY_BASE_URL"] == "https://api.notifications.service.gov.uk"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"MACEHUB_NOTIFY_BACKEND": "pigeon"}, "MACEHUB_NOTIFY_BACKEND must be one of"),
        ({"MACEHUB_NOTIFY_BACKEND": "govuk_notify",
          "MACEHUB_NOTIFY_TEMPLATES": NOTIFY_TEMPLATES},
         "MACEHUB_NOTIFY_API_KEY must be set"),
        ({"MACEHUB_NOTIFY_BACKEND": "govuk_notify", "MACEHUB_NOTIFY_API_KEY": NOTIFY_KEY[:-5],
          "MACEHUB_NOTIFY_TEMPLATES": NOTIFY_TEMPLATES},
         "MACEHUB_NOTIFY_API_KEY must be a GOV.UK Notify API key"),
        ({"MACEHUB_NOTIFY_BACKEND": "govuk_notify", "MACEHUB_NOTIFY_API_KEY": NOTIFY_KEY},
         "missing: meeting_action_reminder, referral_decided"),
        ({"MACEHUB_NOTIFY_BACKEND": "govuk_notify", "MACEHUB_NOTIFY_API_KEY": NOTIFY_KEY,
          "MACEHUB_NOTIFY_TEMPLATES": "referral_decided=11111111-2222-4333-8444-555555555555"},
         "missing: meeting_action_reminder$"),
        ({"MACEHUB_NOTIFY_BACKEND": "govuk_notify", "MACEHUB_NOTIFY_API_KEY": NOTIFY_KEY,
          "MACEHUB_NOTIFY_TEMPLATES": f"{NOTIFY_TEMPLATES},case_closed=1"},
         "the template id of case_closed is not a UUID"),
        ({"MACEHUB_NOTIFY_BACKEND": "govuk_notify", "MACEHUB_NOTIFY_API_KEY": NOTIFY_KEY,
          "MACEHUB_NOTIFY_TEMPLATES": "referral_decided"},
         "must be key=value pairs"),
    ],
    ids=["unknown-backend", "no-key", "short-key", "no-templates", "one-missing",
         "not-a-uuid", "not-pairs"],
)
def test_notify_settings_refuse_to_load_when_incomplete(
    load_settings: Any, values: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST,
                      **values)
