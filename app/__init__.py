"""Countersign: a workflow server for sales-driven projects."""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from config import BASE_DIR, CONFIGS, INSTANCE_DIR, ProductionConfig


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``test_config`` overrides settings (tests pass their database)."""
    env = os.environ.get("COUNTERSIGN_ENV", "testing" if test_config is not None else "development")
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    config = CONFIGS[env]
    if config is ProductionConfig:
        ProductionConfig.check()
    app.config.from_object(config)
    if test_config is not None:
        app.config.update(test_config)
    from app.core.tokens import RotatingSessionInterface

    app.session_interface = RotatingSessionInterface()  # a session signed with an old key is signed anew
    if app.config.get("SECRET_KEY_FALLBACKS") and "WTF_CSRF_SECRET_KEY" not in app.config:
        # A form loaded before SECRET_KEY was rotated still posts: its CSRF token is checked against the
        # keys it replaced too (itsdangerous: oldest first, the one it signs with last). Flask does the
        # same for its session cookie, and app.core.tokens for what the app signs and derives itself.
        app.config["WTF_CSRF_SECRET_KEY"] = [*reversed(app.config["SECRET_KEY_FALLBACKS"]), app.config["SECRET_KEY"]]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app import ops
    from app.accounts import auth
    from app.core import headers, url_guard
    from app.ops import views as ops_views

    _init_extensions(app)
    headers.init_app(app)
    url_guard.init_app(app)  # before the blueprints: their <int:...> rules take its id converter
    ops.init_app(app)  # its request id and timing first of every request's hooks
    auth.leave_alone(*ops_views.ENDPOINTS)
    _register_blueprints(app)

    from app import cli, errors, logs, templating

    errors.init_app(app)
    logs.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    # Everything built so far (modules, mappers, templates) lives as long as the process. Frozen, the
    # garbage collector stops scanning it on every full collection, which would otherwise land in the
    # middle of requests that allocate a lot, such as a 5,000-event calendar feed (bench/feeds.py);
    # it also keeps those pages shared between forked gunicorn workers (see the gc.freeze docs).
    gc.freeze()
    return app


def _init_extensions(app: Flask) -> None:
    from app import events as catalogue
    from app import models  # noqa: F401 - every model is mapped before the first query
    from app.accounts import auth
    from app.accounts import jobs as account_jobs
    from app.api import jobs as api_jobs
    from app.briefings import listeners as briefing_listeners
    from app.calendars import listeners as calendar_listeners
    from app.comments import listeners as comment_listeners
    from app.commitments import listeners as commitment_listeners
    from app.core import clock, database, events, transactions
    from app.extensions import csrf, db, login_manager, migrate
    from app.feedback import listeners as feedback_listeners
    from app.imports import jobs as import_jobs
    from app.milestones import listeners as milestone_listeners
    from app.notifications import jobs as notification_jobs
    from app.projects import access as project_access
    from app.projects import listeners as project_listeners
    from app.reminders import jobs as reminder_jobs
    from app.reminders import listeners
    from app.roadmap import listeners as roadmap_listeners
    from app.updates import listeners as update_listeners
    from app.webhooks import jobs as webhook_jobs
    from app.webhooks import listeners as webhook_listeners

    clock.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    # First of the session listeners, as the queue's and the reminders' were: schedules are synced
    # before the calendar stamps (registered with their blueprint) read what a commit changed.
    transactions.init_app()
    listeners.init_app()
    # The contract first, then each feature subscribes the handlers of its own events (the
    # notifications they become, worded where the records are known: notifications imports none).
    events.declare(catalogue.CATALOGUE)
    # In this order, as when one service did it all: a campaign's step is notified (projects) before
    # its effects (the roadmap's baseline, then withdrawing commitments), and a changed milestone is
    # recorded as a re-plan (roadmap) before its promises are reassessed (commitments).
    for feature_listeners in (project_listeners, roadmap_listeners, milestone_listeners, commitment_listeners,
                              calendar_listeners, feedback_listeners, update_listeners, briefing_listeners,
                              comment_listeners,
                              # Last: what the others write in an event's transaction is there before it is published.
                              webhook_listeners):
        feature_listeners.init_app()
    # The background infrastructure knows no feature: the features hand it their work.
    reminder_jobs.init_app()
    notification_jobs.init_app()
    account_jobs.init_app()
    webhook_jobs.init_app()
    api_jobs.init_app()
    import_jobs.init_app()
    # Notifications knows no feature above it either: projects names the campaigns one may mute (the
    # reminders, with their listeners above, what the settings page shows of them).
    project_access.init_app()
    with app.app_context():
        database.configure_engine(db.engine)


def _register_blueprints(app: Flask) -> None:
    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.api import docs as api_docs
    from app.background import views as background_views
    from app.briefings import api as briefings_api
    from app.briefings import views as briefings_views
    from app.calendars import api as calendars_api
    from app.calendars import views as calendars_views
    from app.campaigns import api as campaigns_api
    from app.campaigns import views as _campaign_pages  # noqa: F401 - adds the list and page to projects' blueprint
    from app.catalog import api as catalog_api
    from app.catalog import views as catalog_views
    from app.comments import api as comments_api
    from app.comments import views as comments_views
    from app.commitments import api as commitments_api
    from app.commitments import views as commitments_views
    from app.customers import api as customers_api
    from app.customers import views as customers_views
    from app.dashboard import views as dashboard_views
    from app.feedback import api as feedback_api
    from app.feedback import views as feedback_views
    from app.imports import api as imports_api
    from app.imports import views as imports_views
    from app.milestones import api as milestones_api
    from app.milestones import views as milestones_views
    from app.notifications import api as notifications_api
    from app.notifications import views as notifications_views
    from app.projects import views as projects_views
    from app.publishing import api as publishing_api
    from app.publishing import views as publishing_views
    from app.regions import views as regions_views
    from app.reports import api as reports_api
    from app.reports import views as reports_views
    from app.roadmap import api as roadmap_api
    from app.roadmap import views as roadmap_views
    from app.search import api as search_api
    from app.search import views as search_views
    from app.teams import api as teams_api
    from app.teams import views as teams_views
    from app.updates import api as updates_api
    from app.updates import views as updates_views
    from app.webhooks import api as webhooks_api
    from app.webhooks import views as webhooks_views

    for module in (
        accounts_views, dashboard_views, projects_views, milestones_views, regions_views, catalog_views,
        commitments_views, notifications_views, roadmap_views, background_views, calendars_views,
        feedback_views, briefings_views, updates_views, reports_views, publishing_views, teams_views,
        webhooks_views, customers_views, imports_views, search_views, comments_views,
        accounts_api, campaigns_api, milestones_api, catalog_api, commitments_api, roadmap_api,
        notifications_api, calendars_api, feedback_api, briefings_api, updates_api, reports_api, publishing_api,
        teams_api, webhooks_api, customers_api, imports_api, search_api, comments_api, api_docs,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(notifications_views.settings_bp)
