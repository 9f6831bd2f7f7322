"""Configuration classes, read from the environment.

``create_app`` picks one by ``COUNTERSIGN_ENV`` (development, testing, production);
every setting a deployment changes comes from an environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COUNTERSIGN_INSTANCE", BASE_DIR / "instance"))
_DEV_SECRET = "dev-only-not-secret"


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE_DIR / name}"


def _list(name: str) -> list[str]:
    """A comma-separated setting as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
    # Keys SECRET_KEY replaced, still accepted (never used to sign): sessions, CSRF tokens, email links
    # and two-factor keys made with them keep working while a rotation settles (docs/operations.md).
    SECRET_KEY_FALLBACKS = _list("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("countersign.db"))
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Where links in emails and calendar feeds point; empty means "the request's own host".
    BASE_URL = os.environ.get("COUNTERSIGN_BASE_URL", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Sign-in throttling (app/accounts/throttle.py): an email may fail this many times, a client
    # address (a whole office behind one NAT) more, within the window; the failure after that locks
    # the key for the first of the lockouts, the next lockout in a row for the second, and so on.
    THROTTLE_ACCOUNT_FAILURES = int(os.environ.get("THROTTLE_ACCOUNT_FAILURES", 5))
    THROTTLE_ADDRESS_FAILURES = int(os.environ.get("THROTTLE_ADDRESS_FAILURES", 20))
    THROTTLE_WINDOW_SECONDS = int(os.environ.get("THROTTLE_WINDOW_SECONDS", 900))
    THROTTLE_LOCKOUTS = tuple(int(s) for s in os.environ.get("THROTTLE_LOCKOUTS", "60,300,900,3600").split(","))
    # Reverse proxies in front that set X-Forwarded-For, -Proto, -Host and -Port: the client's address,
    # scheme and host are read from what they added (0: the headers are ignored, a client could forge them).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    # Sign-in sessions (app/accounts/sessions.py): one not kept ends after this long unused; a
    # "keep me signed in" one after REMEMBER_DAYS unused; every one this long after its sign-in.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 12 * 60))
    REMEMBER_DAYS = int(os.environ.get("REMEMBER_DAYS", 30))
    SESSION_MAX_DAYS = int(os.environ.get("SESSION_MAX_DAYS", 30))
    # Two-factor sign-in (app/accounts/twofactor.py): the name authenticator apps list the account
    # under, and how long "trust this browser" skips the code.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Countersign")
    TRUST_BROWSER_DAYS = int(os.environ.get("TRUST_BROWSER_DAYS", 30))
    # How long the link of a "forgot your password?" email works (app/accounts/resets.py).
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", 30))
    # Times on pages are in the reader's own zone (their settings); this one for signed-out pages
    # and for people whose zone is missing or unknown (app/templating.py).
    DEFAULT_TIME_ZONE = os.environ.get("DEFAULT_TIME_ZONE", "UTC")
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch still submits; the token is per session
    # The security headers of every response (app/core/headers.py). Scripts and styles are files
    # under static/ only: no inline script, event handler or style attribute, so no 'unsafe-inline'.
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    REFERRER_POLICY = "same-origin"
    # Only the production config sends HSTS: a development server on plain http stays reachable.
    STRICT_TRANSPORT_SECURITY = ""
    # Bodies larger than this get a 413 (JSON for the API) before any view reads them.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_FROM = os.environ.get("MAIL_FROM", "Countersign <countersign@localhost>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 30))
    # smtp, file, console or memory; empty: smtp when MAIL_SERVER is set, else file (MAIL_DIR).
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "")
    MAIL_DIR = os.environ.get("MAIL_DIR", "")  # the development mailbox; default instance/mailbox
    # Seconds to wait after the 1st, 2nd, ... refusal; after the last, the email is "failed".
    MAIL_RETRY_DELAYS = tuple(int(s) for s in os.environ.get("MAIL_RETRY_DELAYS", "60,300,1800,7200").split(","))
    # A claimed email whose worker went silent this long is sent again (the only duplicate).
    MAIL_LEASE_SECONDS = int(os.environ.get("MAIL_LEASE_SECONDS", 600))
    # An enqueued email not sent after this long, whose job Redis lost, is enqueued again.
    RECOVER_AFTER_SECONDS = int(os.environ.get("RECOVER_AFTER_SECONDS", 300))

    # Uploaded briefing decks: kept outside the web root (default instance/uploads), served only
    # to people signed in. An upload may be this large; the rest of the app keeps MAX_CONTENT_LENGTH.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", "")
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024))

    QUEUE_NAME = os.environ.get("QUEUE_NAME", "countersign")
    SWEEP_INTERVAL = int(os.environ.get("SWEEP_INTERVAL", 60))
    # One scheduler runs per queue: its lock lapses this long after it last renewed it, and a
    # stand-by (or the same scheduler, after a Redis outage) asks for it every poll.
    SCHEDULER_LOCK_SECONDS = int(os.environ.get("SCHEDULER_LOCK_SECONDS", 30))
    SCHEDULER_POLL_SECONDS = float(os.environ.get("SCHEDULER_POLL_SECONDS", 5))
    # A worker says it is alive this often; one silent for three beats is listed as gone.
    WORKER_PULSE_SECONDS = float(os.environ.get("WORKER_PULSE_SECONDS", 5))
    # Webhooks (app/webhooks/): how long a delivery may take to connect and to answer; the seconds
    # before each retry of a failed delivery (about a day in all, after which the message is failed);
    # how long a worker may hold a delivery before the sweep sends it again; how long an endpoint
    # may fail every delivery before it is turned off. Private, loopback and other internal addresses
    # are refused as targets unless WEBHOOKS_ALLOW_PRIVATE_TARGETS (development and tests) allows them.
    WEBHOOKS_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOKS_CONNECT_TIMEOUT", 5))
    WEBHOOKS_READ_TIMEOUT = float(os.environ.get("WEBHOOKS_READ_TIMEOUT", 15))
    WEBHOOKS_RETRY_DELAYS = tuple(int(s) for s in os.environ.get(
        "WEBHOOKS_RETRY_DELAYS", "5,300,1800,7200,18000,36000,36000").split(","))
    WEBHOOKS_LEASE_SECONDS = int(os.environ.get("WEBHOOKS_LEASE_SECONDS", 120))
    WEBHOOKS_DISABLE_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_DISABLE_AFTER_SECONDS", 24 * 3600))
    WEBHOOKS_ALLOW_PRIVATE_TARGETS = os.environ.get("WEBHOOKS_ALLOW_PRIVATE_TARGETS", "").lower() in {"1", "true", "yes"}
    DISPATCH_BATCH = 1000
    JOB_TIMEOUT = 600
    JOB_RESULT_TTL = 3600
    JOB_FAILURE_TTL = 7 * 24 * 3600
    # Logs (app/logs.py): "text", one line per record, or "json", one object per line with the request id.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").lower()
    # /metrics (app/ops/metrics.py) answers only a request with this bearer token, or from one of these
    # networks (CIDR, comma-separated: "127.0.0.1/32,10.0.0.0/8"); with neither set it is a 404 to all.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_NETWORKS = _list("METRICS_NETWORKS")
    # Run jobs in this process right after the commit instead of through Redis (the tests).
    JOBS_INLINE = os.environ.get("JOBS_INLINE", "").lower() in {"1", "true", "yes"}
    # The wall clock, always, outside the tests (app/core/clock.py).
    CLOCK_START = ""


class DevelopmentConfig(Config):
    DEBUG = True
    # A receiver on this machine (http://127.0.0.1:9000/hook) is what one develops against.
    WEBHOOKS_ALLOW_PRIVATE_TARGETS = os.environ.get("WEBHOOKS_ALLOW_PRIVATE_TARGETS", "1").lower() in {"1", "true", "yes"}


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    SERVER_NAME = None
    # Jobs inline and mail kept in memory, unless a test's own worker process asks otherwise
    # (tests/jobs starts real RQ workers that send through SMTP); TEST_ names, so a developer's
    # JOBS_INLINE or MAIL_TRANSPORT never leaks into the test suite.
    JOBS_INLINE = os.environ.get("TEST_JOBS_INLINE", "1").lower() in {"1", "true", "yes"}
    MAIL_TRANSPORT = os.environ.get("TEST_MAIL_TRANSPORT", "memory")
    BASE_URL = "http://countersign.test"
    # The tests' receivers listen on 127.0.0.1; the SSRF tests turn this off themselves.
    WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    # A worker process a test starts runs on the test's clock: "<ISO moment>@<unix time>" (tests/clock.py).
    CLOCK_START = os.environ.get("TEST_CLOCK", "")


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # Browsers come back over https only, for a year; served behind TLS, as production is.
    STRICT_TRANSPORT_SECURITY = os.environ.get("STRICT_TRANSPORT_SECURITY", "max-age=31536000; includeSubDomains")

    @classmethod
    def check(cls) -> None:
        """Refuse to start with the development secret: sessions would be forgeable."""
        if not os.environ.get("SECRET_KEY") or os.environ["SECRET_KEY"] == _DEV_SECRET:
            raise RuntimeError("SECRET_KEY must be set to a long random value in production")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
