"""The admin page on background work: queue depth, workers, failed jobs and emails, last sweep.

Also the development mailbox: the emails the "file" transport wrote, readable in the browser.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, render_template, url_for
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from app.background import registry, services
from app.core import clock
from app.core.errors import ServiceError
from app.core.headers import response_policy
from app.core.views import admins_only, press

bp = Blueprint("background", __name__, url_prefix="/admin/jobs")

#: The mailbox page shows an email's HTML in a sandboxed frame; this policy (inherited by the
#: frame's srcdoc) also forbids scripts, plugins, forms to elsewhere and remote images in it.
MAILBOX_CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'"
)


admins_only(bp)


@bp.get("/")
def index() -> str:
    now, outbox = clock.now(), registry.outbox()
    return render_template(
        "background/index.html", state=services.queue_state(), periodic=services.periodic_statuses(), now=now,
        backlog=outbox.backlog(now), failed_emails=outbox.failed(), inline=bool(current_app.config.get("JOBS_INLINE")),
        stale_after=int(services.STALE_AFTER.total_seconds() // 60), mailbox=outbox.mailbox(limit=0),
    )


# --- failed emails (the database's outbox) ------------------------------------------------------

@bp.post("/emails/<int:notification_id>/retry")
def retry_email(notification_id: int) -> Response:
    return press(lambda: registry.outbox().retry_failed([notification_id]),
                 _counted("The email is back in the queue: the next dispatch sends it.",
                          "That email is no longer failed; nothing changed."), url_for(".index"))


@bp.post("/emails/retry")
def retry_all_emails() -> Response:
    return press(lambda: registry.outbox().retry_failed(None),
                 _counted(lambda count: f"{count} failed email{'s are' if count != 1 else ' is'} back in the queue: "
                                        "the next dispatch sends them.", "There were no failed emails to retry."),
                 url_for(".index"))


@bp.post("/emails/<int:notification_id>/discard")
def discard_email(notification_id: int) -> Response:
    return press(lambda: registry.outbox().discard_failed([notification_id]),
                 _counted("Email discarded: it will not be sent. The notification itself stays.",
                          "That email is no longer failed; nothing changed."), url_for(".index"))


# --- failed RQ jobs (Redis) ---------------------------------------------------------------------

@bp.post("/failed/<job_id>/retry")
def retry_job(job_id: str) -> Response:
    return press(_on_redis(lambda: services.retry_failed_job(job_id)),
                 _found(f"Job {job_id} is back on the queue.", job_id), url_for(".index"))


@bp.post("/failed/<job_id>/delete")
def delete_job(job_id: str) -> Response:
    return press(_on_redis(lambda: services.delete_failed_job(job_id)), _found(f"Job {job_id} deleted.", job_id),
                 url_for(".index"))


# --- the development mailbox --------------------------------------------------------------------

@bp.get("/mailbox")
def mailbox() -> str:
    return render_template("background/mailbox.html", mailbox=registry.outbox().mailbox(), message=None)


@bp.get("/mailbox/<name>")
@response_policy(csp=MAILBOX_CSP)
def mailbox_message(name: str) -> str:
    outbox = registry.outbox()
    message = outbox.mailbox_message(name) or abort(404)
    return render_template("background/mailbox.html", mailbox=outbox.mailbox(), message=message)


# --- helpers ------------------------------------------------------------------------------------

def _counted(done: str | Callable[[int], str], nothing: str) -> Callable[[int], tuple[str, str]]:
    """What an outbox button says: ``done`` if it changed any email, else ``nothing`` (no longer failed)."""
    return lambda count: ((done if isinstance(done, str) else done(count)), "success") if count else (nothing, "info")


def _found(done: str, job_id: str) -> Callable[[bool], tuple[str, str]]:
    """What a failed-job button says: ``done``, or that the job had left the failed jobs already."""
    return lambda found: (done, "success") if found else (
        f"Job {job_id} is no longer among the failed jobs; nothing changed.", "info")


def _on_redis(action: Callable[[], bool]) -> Callable[[], bool]:
    """``action``, with Redis out of reach said as a refusal (press flashes it) rather than an error page."""
    def run() -> bool:
        try:
            return action()
        except RedisError as error:
            raise ServiceError(f"Redis is unreachable, so nothing changed: {error}") from error
    return run
