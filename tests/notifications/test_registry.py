"""What the features above notifications hand it at start-up (app.notifications.registry), and the
outbox accounts sends its reset email through (app.accounts.outbox): set by the factory, and a
clear error, not a silent gap, if a feature was not set up."""

from __future__ import annotations

import pytest
from flask import Flask

from app.accounts import outbox
from app.core.slots import Slot
from app.notifications import jobs, registry
from app.projects import access as project_access
from app.reminders import services as reminder_services


def test_the_factory_hands_notifications_the_campaigns_and_the_reminders(app: Flask) -> None:
    assert registry.campaigns().of_member is project_access.member_campaigns
    assert registry.campaigns().member_campaign is project_access.member_campaign
    assert registry.reminders().upcoming is reminder_services.upcoming
    assert registry.reminders().preferences_saved is reminder_services.reschedule_person


def test_what_no_feature_registered_is_an_error(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registry", registry.Registry())
    with pytest.raises(registry.NotRegistered, match="campaigns"):
        registry.campaigns()
    with pytest.raises(registry.NotRegistered, match="reminders"):
        registry.reminders()


def test_accounts_emails_go_through_the_outbox_notifications_set(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outbox._sender.get() is jobs._send_for_accounts
    monkeypatch.setattr(outbox, "_sender", Slot("the outbox of accounts' emails", "app/notifications/jobs.py"))
    with pytest.raises(outbox.NotSet):
        outbox.send(None, "password_reset", "Reset")  # type: ignore[arg-type]
