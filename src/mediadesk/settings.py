"""Django settings. Every knob comes from the environment; see the README's configuration table."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from mediadesk import config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key()
DEBUG = config.env_bool("MEDIADESK_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "mediadesk.core",
    "mediadesk.audit",
    "mediadesk.orgs",
    "mediadesk.accounts",
    "mediadesk.compliance",
    "mediadesk.content",
    "mediadesk.publishing",
    "mediadesk.platforms",
    "mediadesk.notifications",
    "mediadesk.jobs",
    "mediadesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mediadesk.web.middleware.LocaleMiddleware",  # zh-Hans unless the person chose English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mediadesk.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mediadesk.urls"
WSGI_APPLICATION = "mediadesk.wsgi.application"

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
                "mediadesk.web.context.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "mediadesk.sqlite3",
            "OPTIONS": {
                # WAL lets the web server read while jobs write; IMMEDIATE avoids
                # lock-upgrade deadlocks between the server and the job threads.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

AUTHENTICATION_BACKENDS = ["mediadesk.orgs.auth_backend.LockoutAwareBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": config.env_int("MEDIADESK_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mediadesk.orgs.passwords.CharacterClassValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

# Lock-out after repeated failed logins.
MEDIADESK_LOCKOUT_THRESHOLD = config.env_int("MEDIADESK_LOCKOUT_THRESHOLD", 5)
MEDIADESK_LOCKOUT_MINUTES = config.env_int("MEDIADESK_LOCKOUT_MINUTES", 15)

# Sessions expire after this long without a request (sliding idle timeout).
SESSION_COOKIE_AGE = config.env_int("MEDIADESK_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = config.env_bool("MEDIADESK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "mediadesk_language"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root even when unused
STATICFILES_DIRS = []
_NODE_MODULES = PROJECT_DIR / "node_modules"
for _prefix, _sub in (("vendor/htmx", "htmx.org/dist"), ("vendor/echarts", "echarts/dist")):
    if (_NODE_MODULES / _sub).is_dir():
        STATICFILES_DIRS.append((_prefix, _NODE_MODULES / _sub))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = DATA_DIR / "media"
# Largest file the media library accepts (a Douyin single upload is 128 MB).
MEDIADESK_ASSET_MAX_BYTES = config.env_int("MEDIADESK_ASSET_MAX_MB", 200) * 1024 * 1024

# Audit entries younger than this can never be deleted (Cybersecurity Law: six months).
MEDIADESK_AUDIT_MIN_RETENTION_DAYS = 180

# Job runner and health.
# Jobs mostly wait on platform APIs (100 ms to seconds a call): with 4 threads the embedded
# runner published ~11 posts/s in the publishing bench, with 16 ~33 (SQLite copes).
MEDIADESK_JOB_WORKERS = config.env_int("MEDIADESK_JOB_WORKERS", 16)
MEDIADESK_JOB_POLL_SECONDS = float(os.environ.get("MEDIADESK_JOB_POLL_SECONDS", "1.0"))
MEDIADESK_HEARTBEAT_STALE_SECONDS = config.env_int("MEDIADESK_HEARTBEAT_STALE_SECONDS", 60)
MEDIADESK_JOB_LAG_ALERT_SECONDS = config.env_int("MEDIADESK_JOB_LAG_ALERT_SECONDS", 300)
MEDIADESK_HEARTBEAT_SECONDS = float(os.environ.get("MEDIADESK_HEARTBEAT_SECONDS", "5"))
# A running job whose worker has not refreshed its lock for this long is requeued.
MEDIADESK_JOB_LOCK_TIMEOUT_SECONDS = config.env_int("MEDIADESK_JOB_LOCK_TIMEOUT_SECONDS", 300)
MEDIADESK_JOB_BACKEND = os.environ.get("MEDIADESK_JOB_BACKEND", "embedded")  # or "celery"
# Celery: when many jobs are due at once, up to this many share one broker message (each
# message costs about as much CPU as a short job); 1 sends one message per job.
MEDIADESK_CELERY_JOBS_PER_MESSAGE = config.env_int("MEDIADESK_CELERY_JOBS_PER_MESSAGE", 8)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

# Publishing engine (PUB-4 … PUB-6). A post is never sent later than this after its time (or
# after the end of the pause that held it): it becomes "missed" and its owner is told.
MEDIADESK_PUBLISH_MAX_LATENESS_SECONDS = config.env_int(
    "MEDIADESK_PUBLISH_MAX_LATENESS_SECONDS", 600
)
# How often due posts are claimed, stale claims recovered and WeChat pushes taken up.
MEDIADESK_PUBLISH_TICK_SECONDS = float(os.environ.get("MEDIADESK_PUBLISH_TICK_SECONDS", "5"))
# A claimed or submitting post whose worker has been silent this long is taken over.
MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS = config.env_int(
    "MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS", MEDIADESK_JOB_LOCK_TIMEOUT_SECONDS
)
# Create attempts (transient errors) before a post fails; first retry after the base delay.
MEDIADESK_PUBLISH_MAX_ATTEMPTS = config.env_int("MEDIADESK_PUBLISH_MAX_ATTEMPTS", 6)
MEDIADESK_PUBLISH_RETRY_BASE_SECONDS = float(
    os.environ.get("MEDIADESK_PUBLISH_RETRY_BASE_SECONDS", "5")
)
# First look at an asynchronous result (WeChat freepublish / mass send), then backing off.
MEDIADESK_PUBLISH_POLL_SECONDS = float(os.environ.get("MEDIADESK_PUBLISH_POLL_SECONDS", "5"))
# After a create that may have reached the platform, how long to keep asking it before a
# person must decide ("possibly published").
MEDIADESK_PUBLISH_RECONCILE_WINDOW_SECONDS = config.env_int(
    "MEDIADESK_PUBLISH_RECONCILE_WINDOW_SECONDS", 900
)
# When the post-publication check runs (PUB-5: within one hour).
MEDIADESK_PUBLISH_VERIFY_AFTER_SECONDS = config.env_int(
    "MEDIADESK_PUBLISH_VERIFY_AFTER_SECONDS", 600
)
# How long a platform may take to answer one call.
MEDIADESK_PLATFORM_TIMEOUT_SECONDS = float(
    os.environ.get("MEDIADESK_PLATFORM_TIMEOUT_SECONDS", "15")
)

# Where the platform simulator listens when a connection's base URL is "simulator:".
# ``mediadesk run`` sets this for the simulator it starts in-process.
MEDIADESK_SIMULATOR_URL = os.environ.get("MEDIADESK_SIMULATOR_URL", "")
# The address people reach mediadesk at (``https://mediadesk.example.com``), used for the OAuth
# callback registered with Weibo and Douyin (``/oauth/<platform>/callback/``). Unset: the
# address of the request that starts the authorisation (``http://127.0.0.1:8000`` for
# ``make run``).
MEDIADESK_PUBLIC_URL = os.environ.get("MEDIADESK_PUBLIC_URL", "").rstrip("/")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mediadesk@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "mediadesk.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # httpx logs full URLs, and WeChat URLs carry access tokens.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
