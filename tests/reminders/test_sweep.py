"""The sweep: one reminder per item, person and slot, at the person's own hour, through the
channels they chose; and a cost that follows the work due, not the number of milestones."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from app.core.pagination import MAX_LIMIT, PageRequest
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.milestones.services import MilestoneInput, TaskInput
from app.notifications import delivery
from app.notifications.models import Notification
from app.notifications.services import inbox, mark_read, notify, set_muted, unread_count
from app.reminders import jobs as reminder_jobs
from app.reminders import services as reminders
from tests.queries import counting

OTHERS = ("sales", "pm", "product")


def mailed_to(outbox, user) -> list:
    return [message for message in outbox if user.email in message["To"]]


def inbox_reminders(user) -> list:
    """The reminders in the person's inbox (campaign events put updates there too)."""
    return [note for note in inbox(user, PageRequest(MAX_LIMIT)).items if note.kind == "reminder"]


def offsets(notes) -> list[str]:
    """The slot of each reminder, from its dedupe key: '-7', '+0', '+3'."""
    return [note.dedupe_key.rsplit("/", 1)[1] for note in notes]


def add_milestones(people, project, count: int) -> None:
    """``count`` more milestones, due a day apart after the first, through the services."""
    first = project.milestones[0].due_date
    for n in range(count):
        milestones.create_milestone(people["pm"], project, MilestoneInput(
            f"Wave {n}", first + timedelta(days=n + 1), owner_id=people["pm"].id), reason="Another wave")
    db.session.commit()


# --- once per slot ---------------------------------------------------------------------------

def test_each_slot_is_written_once_however_often_the_sweep_runs(people, milestone, sweep_at, sent_reminders, clock):
    at = clock.slot(milestone.due_date, -7)
    results = [sweep_at(at).sent, sweep_at(at).sent, sweep_at(at + timedelta(minutes=5)).sent]
    notes = sent_reminders()
    assert results == [4, 0, 0]
    assert sorted(n.user_id for n in notes) == sorted(people[name].id for name in (*OTHERS, "team"))
    assert {n.dedupe_key for n in notes} == {f"reminder:m{milestone.id}:{milestone.due_date.isoformat()}/-7"}


def test_after_downtime_only_the_latest_missed_slot_is_sent(people, milestone, sweep_at, sent_reminders, clock):
    due = milestone.due_date
    result = sweep_at(clock.slot(due, -1, hour=15))  # down across the week-before and the day-before slots
    [note] = sent_reminders(people["team"])
    assert result.sent == 4
    assert offsets([note]) == ["-1"] and "is due tomorrow" in note.subject
    assert sweep_at(clock.slot(due, -1, hour=16)).sent == 0


def test_overdue_reminders_repeat_every_k_days_until_the_milestone_is_done(people, milestone, set_prefs, sweep_at,
                                                                           sent_reminders, clock):
    team, due = people["team"], milestone.due_date
    set_prefs(team, overdue_every=2)
    for day in range(-7, 7):
        sweep_at(clock.slot(due, day))
    assert offsets(sent_reminders(team)) == ["-7", "-1", "+0", "+2", "+4", "+6"]
    assert "overdue by 6 days" in sent_reminders(team)[-1].subject
    milestones.fire_milestone_transition(people["pm"], milestone, "complete")
    db.session.commit()
    for day in range(7, 12):
        sweep_at(clock.slot(due, day))
    assert len(sent_reminders(team)) == 6


def test_a_task_reminder_names_the_task_and_its_own_date(people, milestone, sweep_at, sent_reminders, clock):
    own = milestone.due_date - timedelta(days=10)  # its day-before slot comes before the milestone's first
    task = milestones.create_task(people["pm"], milestone, TaskInput("Brief the pilot customers", people["team"].id, own))
    db.session.commit()
    sweep_at(clock.slot(own, -1))
    [note] = sent_reminders(people["team"])
    assert note.dedupe_key == f"reminder:t{task.id}:{own.isoformat()}/-1"
    assert note.subject.startswith("Task “Brief the pilot customers” is due tomorrow")


def test_a_sweep_run_for_a_given_moment_words_its_reminders_for_that_moment(people, milestone, sent_reminders, clock):
    reminders.sweep(now=clock.slot(milestone.due_date, -1))  # the clock itself still says 3 June
    [note] = sent_reminders(people["team"])
    assert "is due tomorrow" in note.subject


def test_a_date_changed_behind_the_services_back_is_never_reminded(people, milestone, schedules, sweep_at,
                                                                   sent_reminders, clock):
    old, new = milestone.due_date, milestone.due_date + timedelta(days=10)
    db.session.execute(sa.update(Milestone).where(Milestone.id == milestone.id).values(due_date=new))
    db.session.commit()
    result = sweep_at(clock.slot(old, -7))
    assert (result.sent, result.rescheduled) == (0, 4) and sent_reminders() == []
    assert {(r.due_date, r.next_at) for r in schedules(milestone).values()} == {(new, clock.slot(new, -7))}


# --- each person's settings ------------------------------------------------------------------

def test_a_person_in_tokyo_at_nine_is_reminded_at_midnight_utc(people, campaign, set_prefs, schedules, sweep_at,
                                                               sent_reminders, clock):
    team = people["team"]
    set_prefs(team, time_zone="Asia/Tokyo", reminder_hour=9)
    milestone = campaign().milestones[0]
    midnight = clock.slot(milestone.due_date, -7, hour=0)
    assert schedules(milestone)[team.id].next_at == midnight
    sweep_at(midnight)
    [note] = sent_reminders()
    assert note.user_id == team.id and note.email_status == "sent"


def test_quiet_hours_hold_the_email_back_but_not_the_inbox(people, milestone, sweep_at, sent_reminders, outbox, clock):
    team, due = people["team"], milestone.due_date
    swept = sweep_at(clock.slot(due, -7, hour=22))  # a late catch-up, inside the default quiet hours 21-8
    assert (swept.sent, swept.held, swept.held_until) == (4, 4, clock.slot(due, -6, hour=8))
    [note] = sent_reminders(team)
    assert inbox_reminders(team) == [note]
    assert (note.email_status, note.email_due_at) == ("pending", clock.slot(due, -6, hour=8))
    delivery.dispatch()
    assert outbox == []
    clock.to(note.email_due_at)
    delivery.dispatch()
    assert len(mailed_to(outbox, team)) == 1 and len(outbox) == 4


def test_the_sweep_job_says_on_the_workers_console_when_quiet_hours_hold_emails(people, milestone, clock, caplog):
    clock.to(clock.slot(milestone.due_date, -7, hour=22))
    with caplog.at_level(logging.INFO, logger="app.reminders.jobs"):
        summary = reminder_jobs.sweep()
    assert "4 reminders written" in summary
    assert caplog.messages == [
        "Quiet hours: 4 reminder emails held until 08:00 UTC tomorrow, when the recipients' quiet hours end"]

    clock.to(clock.slot(milestone.due_date, -1))  # the day before, at 09:00: written and sent at once
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="app.reminders.jobs"):
        assert "4 reminders written" in reminder_jobs.sweep()
    assert caplog.messages == []


def test_a_digest_reader_gets_one_email_with_everything_pending_at_their_hour(people, campaign, set_prefs, sweep_at,
                                                                             sent_reminders, outbox, clock):
    team = people["team"]
    set_prefs(team, email_digest=True)
    project = campaign()
    clock.to(clock.slot(project.milestones[0].due_date, -8, hour=15))
    [update] = notify([team], "commitment_approve", "Pat countersigned Acme", link="/commitments/1")
    db.session.commit()
    pending = db.session.scalars(sa.select(Notification).where(Notification.user_id == team.id,
                                                               Notification.email_status == "pending")).all()
    outbox.clear()
    sweep_at(clock.slot(project.milestones[0].due_date, -7))
    [reminder] = sent_reminders(team)
    everything = [*pending, reminder]  # the campaign's own updates, the decision and the reminder
    assert all(n.email_digest and n.email_status == "pending" for n in everything)
    assert mailed_to(outbox, team) == [] and len(outbox) == 3  # the others got theirs one by one
    delivery.dispatch()
    [digest] = mailed_to(outbox, team)
    text = digest.get_body(("plain",)).get_content()
    assert digest["Subject"] == f"Your Countersign digest: {len(everything)} notifications"
    assert all(n.subject in text for n in everything) and update in everything
    db.session.expire_all()
    assert {n.email_status for n in everything} == {"sent"}


def test_a_muted_campaign_reminds_that_person_of_nothing(people, milestone, schedules, sweep_at, sent_reminders, clock):
    team = people["team"]
    set_muted(team, milestone.project_id, True)
    db.session.commit()
    result = sweep_at(clock.slot(milestone.due_date, -7))
    assert result.sent == 3 and sent_reminders(team) == []
    assert {n.user_id for n in sent_reminders()} == {people[name].id for name in OTHERS}
    assert schedules(milestone)[team.id].next_at == clock.slot(milestone.due_date, -1)  # moved on all the same


def test_email_only_reminders_are_mailed_but_stay_out_of_the_inbox(people, milestone, set_prefs, sweep_at,
                                                                   sent_reminders, outbox, clock):
    team = people["team"]
    set_prefs(team, reminders_in_app=False)
    mark_read(team)
    sweep_at(clock.slot(milestone.due_date, -7))
    [note] = sent_reminders(team)
    assert (note.in_app, note.email_status) == (False, "sent")
    assert inbox_reminders(team) == [] and unread_count(team) == 0
    assert len(mailed_to(outbox, team)) == 1


def test_in_app_only_reminders_send_no_email(people, milestone, set_prefs, sweep_at, sent_reminders, outbox, clock):
    team = people["team"]
    set_prefs(team, reminders_email=False)
    sweep_at(clock.slot(milestone.due_date, -7))
    [note] = sent_reminders(team)
    assert (note.in_app, note.email_status, note.email_due_at) == (True, "none", None)
    assert inbox_reminders(team) == [note] and mailed_to(outbox, team) == []


def test_new_lead_days_are_picked_up_by_the_next_sweep(people, milestone, set_prefs, schedules, sweep_at,
                                                       sent_reminders, clock):
    team, due = people["team"], milestone.due_date
    set_prefs(team, lead_days=(3,))
    sweep_at(clock.now() + timedelta(minutes=1))
    assert schedules(milestone)[team.id].next_at == clock.slot(due, -3)
    assert schedules(milestone)[people["pm"].id].next_at == clock.slot(due, -7)
    sweep_at(clock.slot(due, -7))
    assert sent_reminders(team) == []
    sweep_at(clock.slot(due, -3))
    [note] = sent_reminders(team)
    assert offsets([note]) == ["-3"] and "is due in 3 days" in note.subject


def test_a_later_hour_chosen_after_a_reminder_went_out_does_not_send_it_again(people, milestone, set_prefs, schedules,
                                                                              sweep_at, sent_reminders, clock):
    team, due = people["team"], milestone.due_date
    sweep_at(clock.slot(due, -7))
    clock.advance(hours=1)
    set_prefs(team, reminder_hour=15)
    sweep_at(clock.slot(due, -7, hour=15))
    assert offsets(sent_reminders(team)) == ["-7"]
    assert schedules(milestone)[team.id].next_at == clock.slot(due, -1, hour=15)
    sweep_at(clock.slot(due, -1, hour=15))
    assert offsets(sent_reminders(team)) == ["-7", "-1"]


# --- what a sweep costs ----------------------------------------------------------------------

def test_an_idle_sweep_costs_the_same_few_queries_for_5_or_200_milestones(people, campaign, schedules, clock):
    project = campaign()
    add_milestones(people, project, 4)
    with counting() as few:
        first = reminders.sweep()
    add_milestones(people, project, 195)
    with counting() as many:
        second = reminders.sweep()
    assert len(project.milestones) == 200 and len(schedules(project.milestones[-1])) == 4  # 800 schedules in all
    assert first.schedules == second.schedules == 0
    assert len(few) == len(many) <= 2


def test_a_busy_sweep_reads_in_the_same_few_queries_for_5_or_50_due_milestones(people, campaign, set_prefs, sweep_at,
                                                                              clock):
    for name in (*OTHERS, "team"):  # in the app only: no delivery jobs run inside the sweep
        set_prefs(people[name], reminders_email=False)

    def reads_of_a_sweep_over(count: int) -> int:
        project = campaign(title=f"{count} milestones")
        add_milestones(people, project, count - 1)
        moment = clock.slot(project.milestones[-1].due_date, -7)
        with counting() as statements:
            result = sweep_at(moment)
        assert result.sent >= 4 * count
        return sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))

    assert reads_of_a_sweep_over(5) == reads_of_a_sweep_over(50) <= 10
