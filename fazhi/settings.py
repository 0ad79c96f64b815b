"""Django settings for Fazhi. Everything a deployment changes comes from environment variables.

Embedded default: SQLite in WAL mode and files under ./var (FAZHI_DATA_DIR).
Scale: DATABASE_URL=postgres://… (and object storage, see the deployment guide).
"""

import secrets
import sys
from pathlib import Path

import dj_database_url

from fazhi.config import data_dir, env_bool, env_int, env_list, env_str

DATA_DIR = data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("FAZHI_DEBUG", False)
TESTING = "pytest" in sys.modules


def _secret_key() -> str:
    """Use FAZHI_SECRET_KEY; otherwise keep one generated key in the data folder so sessions
    survive restarts of an embedded install without anyone having to invent a secret."""
    configured = env_str("FAZHI_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("FAZHI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("FAZHI_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "fazhi.core.errors.csrf_failure"  # "页面已过期" in the site's layout
# The header a trusted reverse proxy puts the client's address in (X-Real-IP, X-Forwarded-For);
# unset, the connection's own address is taken, as anyone could send the header.
FAZHI_CLIENT_IP_HEADER = env_str("FAZHI_CLIENT_IP_HEADER")
# A Server-Timing header on every answer (CPU and database time): for benchmarks and profiling.
FAZHI_SERVER_TIMING = env_bool("FAZHI_SERVER_TIMING", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    # Only for its static files: with the app installed, /api/docs serves Swagger UI from our own
    # static files instead of a CDN (offline government networks; the CSP allows 'self' only).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "fazhi.core",
    "fazhi.accounts",
    "fazhi.orgs",
    "fazhi.frameworks",
    "fazhi.campaigns",
    "fazhi.evidence",
    "fazhi.reviews",
    "fazhi.dashboards",
    "fazhi.plans",
    "fazhi.inspections",
    "fazhi.monitoring",
    "fazhi.fieldwork",
    "fazhi.filing",
    "fazhi.surveys",
    "fazhi.exams",
    "fazhi.casereviews",
]

MIDDLEWARE = [
    "fazhi.core.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fazhi.accounts.middleware.SlidingSessionMiddleware",
    "fazhi.accounts.middleware.RequestAddressMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fazhi.core.errors.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fazhi.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "fazhi.urls"
WSGI_APPLICATION = "fazhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fazhi.core.context_processors.navigation",
                "fazhi.plans.context_processors.notifications",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    # Tests get no persistent connections: a live-server thread must not keep the test database open.
    max_age = 0 if TESTING else env_int("FAZHI_DB_CONN_MAX_AGE", 60)
    if url:
        return dj_database_url.parse(url, conn_max_age=max_age)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "fazhi.sqlite3",
        # Reused like PostgreSQL's: a new SQLite connection runs the pragmas below and reads the
        # whole schema again on its first statement, about 10 ms of each request without it.
        "CONN_MAX_AGE": max_age,
        "OPTIONS": {
            # WAL lets the web process read while the worker writes; IMMEDIATE avoids the
            # "database is locked" error when a read transaction later wants to write. A writer
            # waits up to 30 s for the one write lock: at a deadline rush that saturates the
            # cores, lock holders wait for CPU too, and 5 s failed uploads (500) that 30 s
            # completes, slowly (bench/rush.py).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["fazhi.accounts.backends.LockoutAwareBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "fazhi.accounts.passwords.CharacterClassValidator"},
    {"NAME": "fazhi.accounts.passwords.SiteWordsValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Login policy (等保 style): lockout and idle timeout, both configurable.
FAZHI_LOGIN_MAX_FAILURES = env_int("FAZHI_LOGIN_MAX_FAILURES", 5)
FAZHI_LOGIN_LOCKOUT_MINUTES = env_int("FAZHI_LOGIN_LOCKOUT_MINUTES", 15)
# Per source address as well: one password tried across many usernames never trips the account
# lockout. After this many failures from one address within the window, that address may not
# try again until the window has passed (counted in the database: gunicorn runs several workers).
FAZHI_LOGIN_MAX_FAILURES_PER_IP = env_int("FAZHI_LOGIN_MAX_FAILURES_PER_IP", 20)
FAZHI_LOGIN_IP_WINDOW_MINUTES = env_int("FAZHI_LOGIN_IP_WINDOW_MINUTES", 15)
SESSION_COOKIE_AGE = env_int("FAZHI_SESSION_IDLE_MINUTES", 30) * 60
# The expiry slides with activity (an idle timeout): see SlidingSessionMiddleware.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# HTTPS: FAZHI_SECURE_COOKIES=1 sends the session and CSRF cookies over HTTPS only and tells
# browsers to come back over HTTPS only (HSTS, one year unless FAZHI_HSTS_SECONDS says otherwise).
# Behind a TLS proxy, FAZHI_BEHIND_TLS_PROXY=1 believes the proxy's X-Forwarded-Proto: https
# (the proxy must set it and strip it from clients), or Django never sees a secure request and
# sends no HSTS header.
SESSION_COOKIE_SECURE = env_bool("FAZHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("FAZHI_HSTS_SECONDS", 365 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
# Off by default: other sites under the same government domain may still be plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FAZHI_HSTS_INCLUDE_SUBDOMAINS", False)
if env_bool("FAZHI_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own static
# files only, no inline script or style attribute, nothing from another site (government
# networks are offline, and an injected script has nowhere to load from or send to). Templates
# carry no inline <script>, on*= or style= (fazhi/core/tests/test_csp.py checks);
# sizes computed on the server travel as data-* attributes that app.js applies through the
# CSSOM, which CSP allows. data: images are Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env_str("FAZHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Files: local disk under the data folder by default; S3-compatible object storage (MinIO, OSS,
# COS, OBS…) through django-storages when FAZHI_S3_BUCKET is set.
FILE_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("FAZHI_S3_BUCKET"),
            "endpoint_url": env_str("FAZHI_S3_ENDPOINT_URL") or None,
            "region_name": env_str("FAZHI_S3_REGION") or None,
            "access_key": env_str("FAZHI_S3_ACCESS_KEY") or None,
            "secret_key": env_str("FAZHI_S3_SECRET_KEY") or None,
            "location": env_str("FAZHI_S3_PREFIX"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            # A file read whole through Django's storage API spills to disk past 2 MiB instead of
            # being held in memory (django-storages' default keeps it all in memory).
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
    if env_str("FAZHI_S3_BUCKET")
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    }
)
STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "files"
# Everything temporary (uploads arriving, builds, imports, conversions) goes under one temp area
# in the data folder, a local folder on the scale deployment too, in a folder per process that a
# sweep removes once the process is dead: see fazhi/core/tempfiles.py.
FAZHI_TEMP_DIR = Path(env_str("FAZHI_TEMP_DIR") or DATA_DIR / "tmp").resolve()
FAZHI_TEMP_DIR.mkdir(parents=True, exist_ok=True)
# Uploads are written to the process's own folder in it by the upload handler; this is for any
# other code that asks Django for a temporary upload file.
FILE_UPLOAD_TEMP_DIR = str(FAZHI_TEMP_DIR)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FAZHI_IMPORT_MAX_BYTES = env_int("FAZHI_IMPORT_MAX_MB", 20) * 1024 * 1024
FAZHI_IMPORT_MAX_ROWS = env_int("FAZHI_IMPORT_MAX_ROWS", 5000)
# Evidence files: a limit per file, and what a ZIP may unpack to.
FAZHI_UPLOAD_MAX_BYTES = env_int("FAZHI_UPLOAD_MAX_MB", 500) * 1024 * 1024
FAZHI_ZIP_MAX_FILES = env_int("FAZHI_ZIP_MAX_FILES", 5000)
FAZHI_ZIP_MAX_BYTES = env_int("FAZHI_ZIP_MAX_MB", 4096) * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["fazhi.evidence.uploads.HashingUploadHandler"]
# A file still waiting for its text this long, with no task queued or running for it, is read
# again (a worker died on it): see fazhi/evidence/recovery.py.
FAZHI_EXTRACT_RETRY_MINUTES = env_int("FAZHI_EXTRACT_RETRY_MINUTES", 30)
# Scans and photos: pages of one file whose text is recognised by OCR (Tesseract), at most
# (0 turns OCR off), and seconds allowed per page (fazhi/evidence/extraction/ocr.py).
FAZHI_OCR_MAX_PAGES = env_int("FAZHI_OCR_MAX_PAGES", 30)
FAZHI_OCR_PAGE_SECONDS = env_int("FAZHI_OCR_PAGE_SECONDS", 120)

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
    }
}
# Each `fazhi worker` records a heartbeat; a task whose worker has sent none for
# FAZHI_TASK_LEASE_SECONDS was abandoned (the worker was killed, its host went down) and runs
# again, FAZHI_TASK_MAX_ATTEMPTS times at most in all (fazhi/core/taskrecovery.py).
FAZHI_TASK_LEASE_SECONDS = env_int("FAZHI_TASK_LEASE_SECONDS", 60)
FAZHI_TASK_MAX_ATTEMPTS = env_int("FAZHI_TASK_MAX_ATTEMPTS", 3)

# Reminders: items due within this many days are announced; the embedded `fazhi serve` asks
# for the daily digest once the local time passes FAZHI_REMINDER_HOUR.
FAZHI_REMINDER_DAYS = env_int("FAZHI_REMINDER_DAYS", 3)
# Work plans: a period's progress reports are due this many days after the period ends.
FAZHI_PLAN_REPORT_DUE_DAYS = env_int("FAZHI_PLAN_REPORT_DUE_DAYS", 10)
FAZHI_REMINDER_HOUR = env_int("FAZHI_REMINDER_HOUR", 8)
# The address users reach the platform at, for the links in e-mails.
FAZHI_BASE_URL = env_str("FAZHI_BASE_URL", "http://127.0.0.1:8000")

# E-mail goes to an SMTP server when FAZHI_EMAIL_HOST is set. Without one, each mail is written
# as a file into DATA_DIR/mail: embedded installs on offline government networks often have no
# mail server, and the files keep every reminder that would have gone out visible to the
# administrator, where the console backend would lose them in the worker's log.
# FAZHI_EMAIL_BACKEND (a Django backend path) overrides both.
EMAIL_HOST = env_str("FAZHI_EMAIL_HOST")
EMAIL_PORT = env_int("FAZHI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("FAZHI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("FAZHI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("FAZHI_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_BACKEND = env_str(
    "FAZHI_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("FAZHI_EMAIL_FROM", "fazhi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FAZHI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The filing: a build with no sign of life for this long counts as interrupted and may be
# replaced; the files of this many newest ready builds per campaign are kept.
FAZHI_FILING_STALE_MINUTES = env_int("FAZHI_FILING_STALE_MINUTES", 10)
FAZHI_FILING_KEEP_BUILDS = env_int("FAZHI_FILING_KEEP_BUILDS", 2)
