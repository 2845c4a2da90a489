"""Ladder's one settings module, driven by environment variables.

Every variable is read through a typed helper that refuses bad values at start-up,
so a typo in production fails loudly instead of silently running with a default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

# Without DEBUG a real secret is required: the development key only exists for
# local runs, so production can never start with a key that is public in this repo.
SECRET_KEY = env_str(
    "SECRET_KEY", default="django-insecure-ladder-development-only" if DEBUG else None
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ladder",
    "assessments",
    # The project's own commands (db_worker, backup, restore, create_demo_org).
    "ladder.site",
    # After ladder.site, whose db_worker (the library's, with a heartbeat) must be found first.
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every request, refused ones included, gets an id and one line in the log.
    "ladder.site.middleware.request_log",
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer below, the refusals included, carries the policy.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which is the first to read a form's body.
    "ladder.site.middleware.refuse_large_bodies",
    "ladder.site.middleware.refuse_undecodable_forms",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ladder.site.middleware.private_pages",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a refused sign-in (too many failures) into the page that says so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ladder.site.urls"
WSGI_APPLICATION = "ladder.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ladder.site.context_processors.nav",
            ],
        },
    },
    {
        # Every page of the app is a Jinja2 template: Django's template language took
        # three quarters of the assessment page's time, and one layout for all pages
        # beats two kept in step. They live in templates/jinja2/, and views ask for them
        # with using="jinja2"; only the admin stays on Django's templates.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "ladder.site.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ladder.site.context_processors.nav",
                "ladder.site.context_processors.csrf_once",
            ],
        },
    },
]

# SQLite is the embedded default; production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'ladder.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many people autosave at once before a deadline: WAL lets readers run beside
    # the writer, IMMEDIATE takes the write lock up front (no upgrade deadlocks),
    # and the busy timeout makes a second writer wait instead of failing with
    # "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ladder.User"
CSRF_FAILURE_VIEW = "assessments.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes, ladder/site/throttle.py). Failures are counted over a
# sliding window, three ways, each against its own limit; past one, sign-ins are refused,
# the right password included, until the window has passed:
# - an account from one address: someone who knows a username can pause its owner only
#   at the address they try from (behind one office address, that is the owner's too);
# - an address, over every account: higher, so one person's mistakes never lock out the
#   colleagues behind the same office address, while a script trying many accounts
#   from one address is stopped;
# - an account, over every address: higher still, so that guessing one password from
#   many addresses is stopped; reaching it pauses the account everywhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ladder.site.sso.PasswordBackend",
    "ladder.site.sso.CompanySignIn",
]

# Single sign-on with OpenID Connect (ladder/site/sso.py), on when SSO_CLIENT_ID is
# set: the README says how to register Ladder with an identity provider. People are
# matched by the e-mail the provider verified, then by its subject; nobody is created.
OIDC_RP_CLIENT_ID = env_str("SSO_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("SSO_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("SSO_AUTHORIZATION_URL", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("SSO_TOKEN_URL", "")
OIDC_OP_USER_ENDPOINT = env_str("SSO_USERINFO_URL", "")
OIDC_OP_JWKS_ENDPOINT = env_str("SSO_JWKS_URL", "")
# Optional: the provider's end_session endpoint, so signing out of Ladder signs out there too.
OIDC_OP_LOGOUT_ENDPOINT = env_str("SSO_LOGOUT_URL", "")
OIDC_RP_SIGN_ALGO = env_str("SSO_SIGNING_ALGORITHM", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = 10
OIDC_OP_LOGOUT_URL_METHOD = "ladder.site.sso.provider_logout_url"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/sso/refused/"
SSO_PROVIDER_NAME = env_str("SSO_PROVIDER_NAME", "your company account")
# Providers that don't send "email_verified" (Entra ID): addresses at these domains,
# which the company's tenant holds, count as verified. One that says false never does.
SSO_VERIFIED_DOMAINS = [d.lower() for d in env_list("SSO_VERIFIED_DOMAINS", [])]
if OIDC_RP_CLIENT_ID and not all(
    (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT)
    + ((OIDC_OP_JWKS_ENDPOINT,) if OIDC_RP_SIGN_ALGO[:2] in ("RS", "ES") else ())
):
    raise ImproperlyConfigured(
        "SSO_CLIENT_ID is set: set SSO_AUTHORIZATION_URL, SSO_TOKEN_URL, SSO_USERINFO_URL "
        "and SSO_JWKS_URL too (from the provider's /.well-known/openid-configuration)."
    )
# "everyone", or "break-glass": passwords then sign in superusers only, for when the
# identity provider is down; everyone else uses single sign-on.
PASSWORD_SIGN_IN = env_str("PASSWORD_SIGN_IN", "everyone")
if PASSWORD_SIGN_IN not in ("everyone", "break-glass"):
    raise ImproperlyConfigured('PASSWORD_SIGN_IN is "everyone" or "break-glass".')
if PASSWORD_SIGN_IN == "break-glass" and not OIDC_RP_CLIENT_ID:
    raise ImproperlyConfigured(
        "PASSWORD_SIGN_IN=break-glass needs single sign-on: set SSO_CLIENT_ID and the rest."
    )
AXES_HANDLER = "ladder.site.throttle.AccountAndAddressHandler"
# The three counts, in the order the handler reads them.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_ACCOUNT_FAILURES", 10)
LADDER_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURES", 100)
LADDER_ACCOUNT_FAILURE_CEILING = env_int("SIGN_IN_ACCOUNT_CEILING", 300)
if AXES_FAILURE_LIMIT < 1 or LADDER_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "SIGN_IN_ACCOUNT_FAILURES must be at least 1, "
        "and SIGN_IN_ADDRESS_FAILURES at least as large."
    )
if LADDER_ACCOUNT_FAILURE_CEILING < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"SIGN_IN_ACCOUNT_CEILING={LADDER_ACCOUNT_FAILURE_CEILING} is below "
        f"SIGN_IN_ACCOUNT_FAILURES={AXES_FAILURE_LIMIT}: the limit over every address "
        "must be at least the limit from one."
    )
AXES_COOLOFF_TIME = env_int("SIGN_IN_PAUSE_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_CALLABLE = "ladder.site.throttle.refused"
# A success wipes no count: signing in to one's own account must not reset the counts
# that other accounts' failures from the same address, or others' failures at the same
# account from other addresses, built up.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# A try during a pause, the right password included, neither counts nor restarts it:
# the pause ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind a proxy every request comes from the proxy's address: the client's is the
# last one the proxy added to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0
)
AXES_CLIENT_IP_CALLABLE = "ladder.site.throttle.client_address"

# Sessions last SESSION_HOURS from signing in (a working day by default). A person made
# inactive, or whose password changes, is signed out everywhere on their next request:
# Django checks both on every request.
# Deactivating someone (in the admin, by an org chart file, or by the directory over
# SCIM) also deletes their sessions there and then: the store keeps each one's user.
SESSION_ENGINE = "ladder.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Files the app writes (packet PDFs made in the background) go here. Every web and
# worker process must see the same directory; they are served only through views
# that check who asks (assessments.packets.views), never as public media.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "files")))
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

# Reminders print to the console unless an SMTP server is configured.
_SMTP_HOST = env_str("SMTP_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _SMTP_HOST,
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USERNAME", ""),
                "password": env_str("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_USE_TLS", default=True),
                "timeout": 20,
            },
        }
        if _SMTP_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
# Background jobs are rows in the app's database, run by `manage.py db_worker`, one
# worker per queue: e-mails on "default", packet PDFs on "packets" (a job of minutes
# that e-mails must not wait behind). make run starts both beside the web server.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "packets"],
    }
}

# Reminders before deadlines go out at this hour, local time (assessments.reminders).
REMINDER_HOUR = env_int("REMINDER_HOUR", 9)
if not 0 <= REMINDER_HOUR <= 23:
    raise ImproperlyConfigured(f"REMINDER_HOUR={REMINDER_HOUR} is not an hour of the day (0-23).")

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ladder@localhost")
# Links in e-mails point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Behind a TLS-terminating proxy in production; off in development and tests.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Background workers beat every WORKER_HEARTBEAT_SECONDS; a worker silent for
# WORKER_DEAD_AFTER_SECONDS is taken for dead and its running jobs are queued again
# (ladder/site/workers.py). A packet job whose own heartbeat is PACKET_JOB_STALE_SECONDS old
# may then be taken over; the worker's limit must be the longer of the two.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_DEAD_AFTER_SECONDS = env_int("WORKER_DEAD_AFTER_SECONDS", 90)
PACKET_JOB_STALE_SECONDS = env_int("PACKET_JOB_STALE_SECONDS", 60)
if WORKER_DEAD_AFTER_SECONDS <= PACKET_JOB_STALE_SECONDS + WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "WORKER_DEAD_AFTER_SECONDS must exceed PACKET_JOB_STALE_SECONDS + WORKER_HEARTBEAT_SECONDS."
    )
# /health/workers/ fails for a queue none of whose workers has beaten for this many seconds.
HEALTH_WORKER_MAX_AGE = env_int("HEALTH_WORKER_MAX_AGE", 60)
if HEALTH_WORKER_MAX_AGE <= WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("HEALTH_WORKER_MAX_AGE must exceed WORKER_HEARTBEAT_SECONDS.")
# Load balancers ask for /health/ over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/workers/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The default framework that import_ladder writes into and the ladder pages open.
LADDER_DEFAULT_FRAMEWORK = env_str("LADDER_DEFAULT_FRAMEWORK", "Engineering Career Framework")

# Uploads; only the ladder import page takes files (ladder/import_views.py). Django's
# limits, spelt out because that page relies on them: form fields (not files) may take
# 2.5 MB; a file past 2.5 MB is spooled to a temporary file rather than kept in memory;
# a request with more files than DATA_UPLOAD_MAX_NUMBER_FILES is refused, which the
# import page turns into a message. Its own, smaller limits it checks as files arrive,
# so a file past them is neither kept in memory nor written to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 100
LADDER_IMPORT_MAX_FILES = 50
LADDER_IMPORT_MAX_BYTES = 20_000_000
# Bodies declared larger than this are refused with 413 before anything reads them; the
# import page's own limit, with room for the form around the files, applies there.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 3_000_000)
IMPORT_REQUEST_MAX_BYTES = LADDER_IMPORT_MAX_BYTES + 1_000_000

# One line per request from ladder.requests (ladder/site/middleware.py); every line logged
# while a request is answered, errors and their tracebacks included, carries its id.
# Refusals (4xx) are logged without the traceback Django gives them; a 5xx keeps it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ladder.site.middleware.RequestIdFilter"},
        "refusal_without_traceback": {"()": "ladder.site.middleware.RefusalWithoutTraceback"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # Here for django.security.<exception>, a logger per kind of refusal (a stranger
            # host, too many fields) that no parent logger's filter reaches.
            "filters": ["request_id", "refusal_without_traceback"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Here as well, so that every handler of Django's request log gets refusals without
        # their tracebacks, not only the console.
        "django.request": {"filters": ["refusal_without_traceback"]},
        # WeasyPrint reports every step of every PDF at INFO: a batch of packets would
        # fill the worker's log. Its warnings (a refused address, a bad rule) still show.
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; the request line already says it.
        "axes": {"level": "WARNING"},
    },
}
