"""All configuration, read from the environment in this one place.

The defaults make the embedded demo work with nothing set (SQLite and Huey files under var/, keys generated
once into var/). With HAULBILL_PRODUCTION=1 the process refuses to start unless the secrets are given.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("HAULBILL_VAR_DIR") or Path.cwd() / "var").resolve()
PRODUCTION = os.environ.get("HAULBILL_PRODUCTION", "") in {"1", "true", "yes"}
DEMO = os.environ.get("HAULBILL_DEMO", "") in {"1", "true", "yes"}
DEBUG = DEMO or os.environ.get("HAULBILL_DEBUG", "") in {"1", "true", "yes"}
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("HAULBILL_DEBUG/HAULBILL_DEMO must be off when HAULBILL_PRODUCTION=1.")


def _secret_from_var(name: str, make: object) -> str:
    """A secret generated once into var/ so the embedded install keeps its keys across restarts."""
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production (HAULBILL_PRODUCTION=1).")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name.lower()
    if not path.exists():
        value = make() if callable(make) else str(make)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("HAULBILL_SECRET_KEY") or _secret_from_var(
    "HAULBILL_SECRET_KEY", lambda: secrets.token_urlsafe(50)
)
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (key rotation).
ENCRYPTION_KEYS = [
    k.strip()
    for k in (
        os.environ.get("HAULBILL_ENCRYPTION_KEYS")
        or _secret_from_var("HAULBILL_ENCRYPTION_KEYS", lambda: Fernet.generate_key().decode())
    ).split(",")
    if k.strip()
]

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("HAULBILL_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("HAULBILL_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "haulbill.core",
    "haulbill.tenancy",
    "haulbill.addressbook",
    "haulbill.catalog",
    "haulbill.transports",
    "haulbill.providers",
    "haulbill.invoicing",
    "haulbill.einvoice",
    "haulbill.delivery",
    "haulbill.fuel",
    "haulbill.web",
    "haulbill.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "haulbill.tenancy.middleware.CompanyMiddleware",
]

ROOT_URLCONF = "haulbill.urls"
WSGI_APPLICATION = "haulbill.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haulbill.tenancy.context_processors.company",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'haulbill.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not DATABASE_URL.startswith("sqlite://:memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per username and per address before a lock-out, and how long it lasts.
LOGIN_THROTTLE_ATTEMPTS = int(os.environ.get("HAULBILL_LOGIN_THROTTLE_ATTEMPTS", "5"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("HAULBILL_LOGIN_THROTTLE_WINDOW", "900"))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["haulbill.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Front-end packages installed from the npm registry by `make` (package.json): served by us, never from a CDN.
NODE_MODULES = Path(os.environ.get("HAULBILL_NODE_MODULES") or BASE_DIR.parent / "node_modules")
STATICFILES_DIRS = (
    [("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css")] if (NODE_MODULES / "@picocss").exists() else []
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"


EMAIL_BACKEND = os.environ.get(
    "HAULBILL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)

# Background work. SQLite storage embedded; Redis to share the queue between many workers and machines.
REDIS_URL = os.environ.get("HAULBILL_REDIS_URL", "")
HUEY_IMMEDIATE = os.environ.get("HAULBILL_HUEY_IMMEDIATE", "") in {"1", "true", "yes"}
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "haulbill", "url": REDIS_URL, "immediate": HUEY_IMMEDIATE}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "haulbill",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# Login throttling and rate limits count in the cache: shared through Redis when several processes serve.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# REST API: requests per minute per token (or per signed-in user), counted in the cache above.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("HAULBILL_API_RATE_LIMIT", "600"))

# Billit and Peppol.
BILLIT_TIMEOUT_SECONDS = float(os.environ.get("HAULBILL_BILLIT_TIMEOUT", "30"))
BILLIT_CONCURRENCY = int(os.environ.get("HAULBILL_BILLIT_CONCURRENCY", "8"))
BILLIT_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("HAULBILL_BILLIT_WEBHOOK_TOLERANCE", "300"))
# Folder with the OpenPeppol/CEN validation artefacts (not shipped: their licence forbids redistribution).
PEPPOL_ARTEFACTS = os.environ.get("HAULBILL_PEPPOL_ARTEFACTS", "")
PEPPOL_VALIDATE_BEFORE_SEND = os.environ.get("HAULBILL_PEPPOL_VALIDATE", "") in {"1", "true", "yes"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAULBILL_LOG_LEVEL", "INFO")},
    # The Huey consumer gives the "huey" logger a handler of its own: not propagating keeps its lines single.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}, "huey": {"propagate": False}},
}
