"""Invitations in emails: a task given, a milestone moved, a promise countersigned each carry an iTIP
REQUEST of the very event the feeds hold (same UID and SEQUENCE), so a subscribed calendar and an
accepted invitation show the date once; the date going (cancelled, removed, withdrawn) sends a
CANCEL to those invited, and only to them."""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage

import icalendar
import pytest
import sqlalchemy as sa

from app.commitments import services as commitments
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.services import TaskInput
from app.notifications.models import Notification
from app.notifications.services import invited_in_project, preferences_for
from app.projects import services as projects
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit
from app.templating import fmt_date
from tests.calendars.helpers import events
from tests.calendars.test_icaljs import icaljs


@pytest.fixture(autouse=True)
def noon(clock):
    """A working day at noon UTC, outside anyone's quiet hours: emails leave at once."""
    clock.to(datetime(2030, 6, 3, 12, 0))
    return clock


def parsed(message: EmailMessage) -> EmailMessage:
    """The message as a mail client receives it: its bytes parsed again."""
    return email.message_from_bytes(bytes(message), policy=policy.default)  # type: ignore[return-value]


def invitation_of(message: EmailMessage, method: str = "REQUEST") -> tuple[icalendar.Event, bytes]:
    """Check the structure Outlook and Gmail look for; return the event and the calendar's bytes."""
    received = parsed(message)
    assert received.get_content_type() == "multipart/mixed"
    alternative, attachment = received.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    part = alternative.get_payload()[2]
    assert part.get_param("method") == method
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == ("cancel.ics" if method == "CANCEL" else "invite.ics")
    data = attachment.get_payload(decode=True)
    assert icalendar.Calendar.from_ical(part.get_content()).to_ical() == icalendar.Calendar.from_ical(data).to_ical()
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == method
    (event,) = calendar.walk("VEVENT")
    return event, data


def for_person(outbox: list[EmailMessage], user) -> list[EmailMessage]:
    return [m for m in outbox if user.email in m["To"]]


def test_a_task_given_invites_its_assignee_to_the_feeds_event(campaign, people, outbox, subscribe, fetch, app):
    milestone = campaign.milestones[1]
    outbox.clear()
    task = milestones.create_task(people["pm"], milestone, TaskInput(
        title="Book the venue", assignee_id=people["team"].id, due_date=milestone.due_date - timedelta(days=5)))
    db.session.commit()
    [message] = for_person(outbox, people["team"])
    event, data = invitation_of(message)
    fed = events(fetch(subscribe(people["team"])))[str(task.uuid)]
    assert str(event["UID"]) == str(fed["UID"]) == str(task.uuid)
    assert int(event["SEQUENCE"]) == int(fed["SEQUENCE"])
    assert event.decoded("DTSTART") == fed.decoded("DTSTART") == task.due_date
    assert str(event["SUMMARY"]) == str(fed["SUMMARY"]) and str(event["DESCRIPTION"]) == str(fed["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == f"mailto:{people['team'].email}"
    assert event["ATTENDEE"].params["CN"] == people["team"].name
    assert str(event["ORGANIZER"]).removeprefix("mailto:") in app.config["MAIL_FROM"]
    # The wording names each date as whose it is: the task's own, then its milestone's.
    text = parsed(message).get_body(("plain",)).get_content()
    assert (f"Due {fmt_date(task.due_date)}, for the milestone “{milestone.title}” "
            f"(due {fmt_date(milestone.due_date)})") in " ".join(text.split())
    seen = icaljs(data)
    (js,) = seen["events"]
    assert js["uid"] == str(task.uuid) and js["sequence"] == task.version - 1
    assert js["attendees"] == [f"mailto:{people['team'].email}"]
    assert js["dtstart"] == {"value": task.due_date.isoformat(), "isDate": True}


def test_a_task_due_with_its_milestone_says_so(campaign, people, outbox):
    milestone = campaign.milestones[1]
    outbox.clear()
    milestones.create_task(people["pm"], milestone, TaskInput(title="Send the recap", assignee_id=people["team"].id))
    db.session.commit()
    [message] = for_person(outbox, people["team"])
    text = " ".join(parsed(message).get_body(("plain",)).get_content().split())
    assert f"Due with its milestone “{milestone.title}”, on {fmt_date(milestone.due_date)}." in text


def test_a_moved_milestone_invites_at_the_new_date_with_the_feeds_sequence(campaign, people, outbox, subscribe,
                                                                          fetch):
    token = subscribe(people["team"])
    milestone = campaign.milestones[2]
    new_date = milestone.due_date + timedelta(days=10)
    outbox.clear()
    roadmap.replan(people["pm"], campaign, [MilestoneEdit(milestone.id, new_date, milestone.target_value,
                                                          milestone.version)], reason="Customer asked for later")
    db.session.commit()
    [message] = for_person(outbox, people["team"])
    event, data = invitation_of(message)
    fed = events(fetch(token))[str(milestone.uuid)]
    assert str(event["UID"]) == str(milestone.uuid)
    assert int(event["SEQUENCE"]) == int(fed["SEQUENCE"]) == milestone.version - 1 > 0
    assert event.decoded("DTSTART") == fed.decoded("DTSTART") == new_date
    assert icaljs(data)["events"][0]["status"] == "CONFIRMED"

    # Cancelled: those invited get a CANCEL with a higher SEQUENCE; nobody else hears of it.
    invited_people = {m["To"] for m in outbox}
    outbox.clear()
    milestones.fire_milestone_transition(people["pm"], milestone, "cancel", reason="Dropped by the board")
    db.session.commit()
    cancels = [m for m in outbox if parsed(m)["Subject"].startswith("Cancelled:")]
    assert cancels and {m["To"] for m in cancels} <= invited_people
    [cancel] = for_person(cancels, people["team"])
    event, data = invitation_of(cancel, "CANCEL")
    assert str(event["UID"]) == str(milestone.uuid) and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(fed["SEQUENCE"])
    assert int(event["SEQUENCE"]) == int(events(fetch(token))[str(milestone.uuid)]["SEQUENCE"])  # both bumped alike
    (js,) = icaljs(data)["events"]
    assert js["status"] == "CANCELLED"


def test_a_deleted_task_is_cancelled_for_its_invited_assignee_only(campaign, people, outbox):
    milestone = campaign.milestones[1]
    invited = milestones.create_task(people["pm"], milestone, TaskInput(title="Book the venue",
                                                                        assignee_id=people["team"].id))
    db.session.commit()
    request, _ = invitation_of(for_person(outbox, people["team"])[0])
    never_invited = campaign.milestones[0].tasks[1]  # Priya's own: nobody was sent an invitation
    outbox.clear()
    milestones.delete_task(people["pm"], invited)
    milestones.delete_task(people["pm"], never_invited)
    db.session.commit()
    [cancel] = outbox
    assert people["team"].email in cancel["To"]
    event, _ = invitation_of(cancel, "CANCEL")
    assert str(event["UID"]) == str(request["UID"])
    assert int(event["SEQUENCE"]) == int(request["SEQUENCE"]) + 1
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_countersigned_promise_invites_the_seller_and_its_withdrawal_cancels(campaign, promised, people, outbox,
                                                                               subscribe, fetch):
    signed = promised["signed"]
    [note] = db.session.scalars(sa.select(Notification).where(Notification.kind == "commitment_approve"))
    assert note.calendar_method == "REQUEST" and note.calendar_uid == str(signed.uuid)
    fed = events(fetch(subscribe(people["sales"], kind="promises")))[str(signed.uuid)]
    request = icalendar.Calendar.from_ical(note.calendar).walk("VEVENT")[0]
    assert (str(request["UID"]), int(request["SEQUENCE"])) == (str(fed["UID"]), int(fed["SEQUENCE"]))
    assert str(request["ATTENDEE"]) == f"mailto:{people['sales'].email}"
    outbox.clear()
    commitments.fire(people["sales"], signed, "withdraw", reason="Customer went elsewhere")
    commitments.fire(people["sales"], promised["draft"], "withdraw", reason="Never invited")
    db.session.commit()
    cancels = [m for m in outbox if m["Subject"].startswith("Cancelled:")]
    assert len(cancels) == 1 and people["sales"].email in cancels[0]["To"]
    event, _ = invitation_of(cancels[0], "CANCEL")
    assert str(event["UID"]) == str(signed.uuid) and int(event["SEQUENCE"]) > int(request["SEQUENCE"])


def test_a_digest_email_carries_no_invitation(campaign, people, outbox):
    prefs = preferences_for({people["team"].id})[people["team"].id]
    prefs.email_digest = True
    db.session.add(prefs)
    db.session.commit()
    task = milestones.create_task(people["pm"], campaign.milestones[1], TaskInput(
        title="Book the venue", assignee_id=people["team"].id))
    db.session.commit()
    [note] = db.session.scalars(sa.select(Notification).where(Notification.kind == "task_assigned",
                                                              Notification.user_id == people["team"].id,
                                                              Notification.body.contains(task.milestone.title)))
    assert note.email_digest and note.calendar == "" and note.calendar_uid is None


def test_a_task_given_to_someone_else_is_cancelled_for_the_one_invited_before(campaign, people, outbox):
    milestone = campaign.milestones[1]
    task = milestones.create_task(people["pm"], milestone, TaskInput(title="Book the venue",
                                                                     assignee_id=people["team"].id))
    db.session.commit()
    request, _ = invitation_of(for_person(outbox, people["team"])[0])
    outbox.clear()
    milestones.update_task(people["pm"], task, TaskInput(title="Book the venue", assignee_id=people["sales"].id))
    db.session.commit()
    [cancel] = for_person(outbox, people["team"])
    event, _ = invitation_of(cancel, "CANCEL")
    assert str(event["UID"]) == str(task.uuid) and int(event["SEQUENCE"]) > int(request["SEQUENCE"])
    [new] = for_person(outbox, people["sales"])
    event, _ = invitation_of(new)
    assert int(event["SEQUENCE"]) == task.version - 1


def test_a_task_taken_off_its_assignee_is_cancelled_for_them(campaign, people, outbox):
    task = milestones.create_task(people["pm"], campaign.milestones[1], TaskInput(title="Book the venue",
                                                                                  assignee_id=people["team"].id))
    db.session.commit()
    request, _ = invitation_of(for_person(outbox, people["team"])[0])
    outbox.clear()
    milestones.update_task(people["pm"], task, TaskInput(title="Book the venue", assignee_id=None))
    db.session.commit()
    [cancel] = outbox
    assert people["team"].email in cancel["To"]
    assert "You were taken off the task" in cancel.get_body(("plain",)).get_content()
    event, _ = invitation_of(cancel, "CANCEL")
    assert str(event["UID"]) == str(request["UID"]) and str(event["STATUS"]) == "CANCELLED"


def test_a_cancelled_campaign_cancels_every_invitation_still_held_once(campaign, promised, people, outbox):
    task = milestones.create_task(people["pm"], campaign.milestones[1], TaskInput(title="Book the venue",
                                                                                  assignee_id=people["team"].id))
    dropped = milestones.create_task(people["pm"], campaign.milestones[1], TaskInput(title="Print flyers",
                                                                                     assignee_id=people["team"].id))
    db.session.commit()
    milestones.delete_task(people["pm"], dropped)  # its cancellation was sent already: not again
    db.session.commit()
    held = {m["Subject"] for m in outbox}
    assert any("Book the venue" in subject for subject in held)
    outbox.clear()

    projects.fire_transition(people["pm"], campaign, "cancel", reason="Budget withdrawn")
    db.session.commit()

    cancels = [(m["To"], invitation_of(m, "CANCEL")[0]) for m in outbox if m["Subject"].startswith("Cancelled:")]
    uids = {(to, str(event["UID"])) for to, event in cancels}
    assert len(uids) == len(cancels), "each person gets one cancellation per date"
    assert any(people["team"].email in to and uid == str(task.uuid) for to, uid in uids)
    assert any(people["sales"].email in to and uid == str(promised["signed"].uuid) for to, uid in uids)
    assert not any(uid == str(dropped.uuid) for _to, uid in uids)
    body = next(m for m in outbox if m["Subject"].startswith("Cancelled:")).get_body(("plain",)).get_content()
    assert "The campaign was cancelled: Budget withdrawn" in body
    # Nothing is held any more: the invitations are all answered by their cancellations.
    assert invited_in_project(campaign.id) == {}
