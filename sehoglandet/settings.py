"""Settings for SE-Höglandet, read from environment variables.

Production and development differ only by environment; docs/operations.md lists every variable.
SQLite is the zero-set-up default when DATABASE_URL is unset.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> None:
    """KEY=value lines from a local, git-ignored .env (written by `make` for development) that the
    real environment does not already set. Production sets its variables in the environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


read_env_file(Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0:
        raise ImproperlyConfigured(f"{name} must be a positive number such as 1.1, not {value!r}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "sehoglandet.apps.SEAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "django_filters",
    "sehoglandet.apps.CoreConfig",
    "referrals.apps.ReferralsConfig",
    "participants.apps.ParticipantsConfig",
    "consent.apps.ConsentConfig",
    "reporting.apps.ReportingConfig",
    "project.apps.ProjectConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every response after this point is personal data or may be: none is kept in a cache.
    "sehoglandet.middleware.never_cache_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # /health/ answers here, before the host check and the login requirement (docs/operations.md).
    "sehoglandet.middleware.health_check_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sehoglandet.middleware.session_renewal_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LoginRequiredMiddleware, but a POST that meets an ended session returns to its page.
    "sehoglandet.middleware.LoginRequiredMiddleware",
    # Which second-factor device, if any, verified this session; then, until one has, every page but
    # the second-factor steps sends the user to them (sehoglandet/second_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "sehoglandet.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "sehoglandet.wsgi.application"

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
                "project.navigation.navigation",
                "sehoglandet.context_processors.session_expiry",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (psycopg 3 with its connection pool) from DATABASE_URL.
# PostgreSQL is the production database; SQLite is for development and a first try.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test database in a file rather than in memory, so `pytest --reuse-db` can keep it between runs.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
    # So a small team can work at once: WAL lets readers and one writer run side by side; a writer
    # waits up to `timeout` seconds for its turn; IMMEDIATE takes the write lock when a transaction
    # begins, so a transaction that reads and then writes waits at the start instead of failing with
    # "database is locked" half-way. synchronous=NORMAL is safe with WAL (a power cut may lose the
    # last commits, never corrupt the file). secure_delete overwrites deleted rows with zeros, so
    # what the retention purge deletes is not left readable in the file's free pages
    # (docs/domain.md#retention).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA secure_delete=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # No JIT compilation: the app's queries are short, and PostgreSQL judges a list's grant check by
    # its cost over every row, not the 25 it reads, so it spent a second compiling a 0.2 s query
    # (bench/README.md#national-scale). DATABASE_JIT=true turns it back on.
    options = [] if env_bool("DATABASE_JIT", False) else ["-c jit=off"]
    # What PostgreSQL assumes an index lookup costs against reading a table in order: 1.1 for data
    # in memory or on SSD, where its default of 4 (for spinning disks) made it read whole tables to
    # avoid a few thousand index lookups (docs/operations.md#planner-costs).
    options.append(f"-c random_page_cost={env_float('DATABASE_RANDOM_PAGE_COST', 1.1)}")
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(options)
    if env_bool("DATABASE_POOL", True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without activity; every request renews the timer, and the
# session is written at most once a minute (sehoglandet.middleware.session_renewal_middleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout (sehoglandet/lockout.py): after AXES_FAILURE_LIMIT failed logins for one user name from
# one address, that combination is locked for AXES_COOLOFF_MINUTES; after as many for one user name
# from any addresses, the user name is locked as long at every address it has not signed in from in
# the last LOCKOUT_KNOWN_ADDRESS_DAYS (axes' AccessLog of successful logins says which).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "sehoglandet.lockout.lockout_parameters"
LOCKOUT_KNOWN_ADDRESS_DAYS = env_int("LOCKOUT_KNOWN_ADDRESS_DAYS", 90)
# A sign-in succeeds only with the second factor, so that is when the failures are cleared
# (sehoglandet.second_factor.signed_in), not when the password alone was right.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client address (for lockout and the access log) comes from X-Forwarded-For only when
# TRUSTED_PROXY_COUNT says how many proxies of our own stand in front; otherwise it is spoofable.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]

# Second factor (sehoglandet/second_factor.py, docs/operations.md#second-factor): a TOTP app and ten
# recovery codes for everyone. A code is accepted one 30-second step either side of the server's clock
# (the device's tolerance) and never twice; no drift is learned, so the window stays where it is.
OTP_TOTP_ISSUER = "SE-Höglandet"
OTP_TOTP_SYNC = False
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# An enrolment started but not confirmed with a code expires after this many minutes.
SECOND_FACTOR_ENROLMENT_MINUTES = env_int("SECOND_FACTOR_ENROLMENT_MINUTES", 10)
SECOND_FACTOR_RECOVERY_CODES = 10
# Only for trying the demo locally: the demo users may skip the second factor. Refused unless DEBUG
# is on, and `check --deploy` reports it as an error (sehoglandet/checks.py).
DEMO_LOGINS_SKIP_SECOND_FACTOR = env_bool("DEMO_LOGINS_SKIP_SECOND_FACTOR", False)
if DEMO_LOGINS_SKIP_SECOND_FACTOR and not DEBUG:
    raise ImproperlyConfigured("DEMO_LOGINS_SKIP_SECOND_FACTOR may be on only when DEBUG is on.")

# django-guardian: object permissions only; there is no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded personal documents live outside the static and public paths and are served only
# through permission-checked views.
MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SE-Höglandet <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. The CSP allows nothing but this origin: no inline script or style.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Production hardening: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer's health check comes over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The address people use to reach the app, for links in e-mail (https://se.hoglandet.se). The deploy
# check refuses a production install without it, or with a local address (sehoglandet/checks.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Reports (docs/domain.md#disclosure-control): no published figure may give back a count from 1 to
# REPORT_MASK_MAX; a share or a median is shown only for a group of at least REPORT_SHARE_MIN_GROUP.
REPORT_MASK_MAX = env_int("REPORT_MASK_MAX", 3)
REPORT_SHARE_MIN_GROUP = env_int("REPORT_SHARE_MIN_GROUP", 10)

# The retention purge (docs/domain.md#retention, `manage.py purge_expired`): a person's file is
# destroyed once every case of theirs is closed and has been closed this many months. No seed gives
# a number; these defaults are the project's proposal and the association decides.
RETENTION_REFERRAL_MONTHS = env_int("RETENTION_REFERRAL_MONTHS", 12)
RETENTION_PARTICIPANT_MONTHS = env_int("RETENTION_PARTICIPANT_MONTHS", 24)
for _name in ("RETENTION_REFERRAL_MONTHS", "RETENTION_PARTICIPANT_MONTHS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1 (months).")

# Acting user for changes made by management commands (reference data, demo data).
SYSTEM_USERNAME = "system"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Error reporting: Sentry when SENTRY_DSN is set, with personal data scrubbed (sehoglandet/error_reporting.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from .error_reporting import init as init_error_reporting

    init_error_reporting(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE", ""),
    )
