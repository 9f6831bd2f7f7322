"""Feedback rules, end to end through the services: filing, triage, duplicates, the queue and search."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.commitments import services as commitments
from app.commitments.services import CommitmentInput
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed, StaleEdit, TransitionRefused
from app.extensions import db
from app.feedback import access, decisions, services
from app.feedback.models import Feedback, FeedbackDecision
from app.feedback.services import FeedbackInput
from app.notifications.models import Notification
from tests.factories import RegionFactory, UserFactory
from tests.feedback import SECRET_CAMPAIGN, SECRET_MILESTONE, planned_in_a_campaign_of_others


def heard(feedback_world, **overrides) -> FeedbackInput:
    fields = dict(kind="feature_request", title="Needs SSO with Okta", region_id=feedback_world["region"].id,
                  product_ids=(feedback_world["product"].id,), details="Blocks the renewal", customer="Acme GmbH",
                  source_name="Jane Doe, Head of IT", channel="meeting", revenue_at_stake=Decimal("12000.00"))
    fields.update(overrides)
    return FeedbackInput(**fields)


def filed(feedback_world, people, user="sales", **overrides) -> Feedback:
    feedback = services.file_feedback(people[user], heard(feedback_world, **overrides))
    db.session.commit()
    return feedback


def notes(user, kind: str) -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)
    ))


def future(days: int = 90) -> date:
    return clock.today() + timedelta(days=days)


# --- filing ------------------------------------------------------------------------------------

def test_a_seller_files_feedback_and_its_product_managers_are_told(feedback_world, people):
    feedback = filed(feedback_world, people, revenue_at_stake=Decimal("12000.00"))

    assert (feedback.state, feedback.weight, feedback.submitted_by) == ("new", Decimal("12000.00"), people["sales"])
    assert [p.name for p in feedback.products] == ["Northwind Pro"]
    [told] = notes(people["product"], "feedback_filed")
    assert told.link == f"/feedback/{feedback.id}" and "Needs SSO with Okta" in told.subject
    assert "12,000.00 EUR at stake" in told.body
    assert notes(feedback_world["other_pm"], "feedback_filed") == []  # not their product
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "feedback"))
    assert (event.action, event.entity_id, event.to_state) == ("feedback.filed", feedback.id, "new")


def test_without_revenue_the_weight_is_zero(feedback_world, people):
    feedback = filed(feedback_world, people, revenue_at_stake=None)
    assert feedback.weight == Decimal("0")


def test_only_sales_and_admins_file_feedback(feedback_world, people):
    rep = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True)
    assert services.file_feedback(rep, heard(feedback_world)).state == "new"
    assert services.file_feedback(people["admin"], heard(feedback_world)).state == "new"
    for who in ("team", "pm", "product"):
        with pytest.raises(NotAllowed):
            services.file_feedback(people[who], heard(feedback_world))


def test_bad_input_names_each_field_and_writes_nothing(feedback_world, people, make_project):
    closed_region = RegionFactory(active=False)
    theirs = make_project(title="Someone else's pursuit", owner=people["sales2"], member_ids=[])
    with pytest.raises(InvalidInput) as error:
        services.file_feedback(people["sales"], heard(
            feedback_world, title="  ", product_ids=(), region_id=closed_region.id, project_id=theirs.id,
        ))
    assert set(error.value.fields) == {"title", "product_ids", "region_id", "project_id"}
    with pytest.raises(InvalidInput) as error:
        services.file_feedback(people["sales"], heard(feedback_world, product_ids=(feedback_world["product"].id, 999_999)))
    assert error.value.fields["product_ids"] == ["Choose products from the catalog."]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 0


def test_a_commitment_must_belong_to_the_campaign_named(feedback_world, people, make_project):
    commitment = commitments.create_commitment(people["sales"], feedback_world["project"], CommitmentInput(
        customer="Acme GmbH", product_id=feedback_world["product"].id, region_id=feedback_world["project"].regions[0].id,
        promise="SSO", promised_date=future(),
    ))
    elsewhere = make_project(title="Another campaign")
    with pytest.raises(InvalidInput) as error:
        services.file_feedback(people["sales"], heard(feedback_world, project_id=elsewhere.id, commitment_id=commitment.id))
    assert list(error.value.fields) == ["commitment_id"]
    # Naming only the commitment links its campaign too.
    feedback = services.file_feedback(people["sales"], heard(feedback_world, commitment_id=commitment.id))
    assert (feedback.project, feedback.commitment) == (feedback_world["project"], commitment)


# --- who sees it, who triages it ---------------------------------------------------------------

def test_sellers_product_managers_and_admins_see_it_and_nobody_else(feedback_world, people):
    feedback = filed(feedback_world, people)
    for who in ("sales", "sales2", "product", "admin"):
        assert access.feedback_or_404(people[who], feedback.id) is feedback
    assert access.feedback_or_404(feedback_world["other_pm"], feedback.id) is feedback  # any product manager reads it
    for who in ("team", "outsider", "pm"):
        with pytest.raises(NotFound):
            access.feedback_or_404(people[who], feedback.id)


def test_only_a_product_manager_of_its_products_or_an_admin_triages(feedback_world, people):
    feedback = filed(feedback_world, people)
    for actor in (feedback_world["other_pm"], people["sales2"], people["sales"]):
        with pytest.raises(NotAllowed):
            decisions.triage(actor, feedback, "done", "Shipped")
    assert feedback.state == "new" and feedback.decisions == []
    decisions.triage(people["admin"], feedback, "done", "Shipped in 4.2")
    assert (feedback.state, feedback.decided_by) == ("done", people["admin"])


# --- the answer reaches the submitter ----------------------------------------------------------

def test_the_submitter_is_told_the_answer_and_every_decision_is_kept(feedback_world, people):
    feedback = filed(feedback_world, people)
    revisit = date(clock.today().year + 1, 3, 1)
    decisions.triage(people["product"], feedback, "later", "After the Q4 release.", revisit_on=revisit)

    [told] = notes(people["sales"], "feedback_answered")
    assert told.subject == f"Your feedback “Needs SSO with Okta”: later — revisit 01 Mar {revisit.year}"
    assert (told.body, told.link) == ("After the Q4 release.", f"/feedback/{feedback.id}")
    first = feedback.first_decided_at
    assert first is not None and feedback.revisit_on == revisit

    milestone = feedback_world["project"].milestones[0]
    decisions.triage(people["product"], feedback, "now", "Moved up: in the first milestone.", milestone_id=milestone.id)
    assert (feedback.state, feedback.milestone, feedback.planned_project) == ("now", milestone, feedback_world["project"])
    assert feedback.revisit_on is None and feedback.first_decided_at == first
    history = db.session.scalars(sa.select(FeedbackDecision).order_by(FeedbackDecision.id)).all()
    assert [(d.from_state, d.to_state, d.answer) for d in history] == [
        ("new", "later", "After the Q4 release."), ("later", "now", "Moved up: in the first milestone."),
    ]
    assert history[1].milestone_id == milestone.id and history[1].project_id == feedback_world["project"].id
    assert len(notes(people["sales"], "feedback_answered")) == 2
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.from_state.is_not(None))).all()
    assert "feedback.later" in actions and "feedback.now" in actions


def test_every_decision_but_a_duplicate_needs_an_answer(feedback_world, people):
    feedback = filed(feedback_world, people)
    with pytest.raises(TransitionRefused) as refused:
        decisions.triage(people["product"], feedback, "done", "   ")
    assert "Write an answer" in refused.value.reasons[0]


def test_later_needs_a_future_revisit_date(feedback_world, people):
    feedback = filed(feedback_world, people)
    with pytest.raises(TransitionRefused) as refused:
        decisions.triage(people["product"], feedback, "later", "Not this year.")
    assert refused.value.reasons == ["Give the date on which product will look at it again."]
    with pytest.raises(TransitionRefused) as refused:
        decisions.triage(people["product"], feedback, "later", "Not this year.", revisit_on=clock.today())
    assert refused.value.reasons == ["The revisit date must be in the future."]
    assert feedback.state == "new"


def test_decline_needs_a_reason(feedback_world, people):
    feedback = filed(feedback_world, people)
    with pytest.raises(TransitionRefused) as refused:
        decisions.triage(people["product"], feedback, "decline", "Sorry.")
    assert refused.value.reasons == ["Say why it is declined."]
    decisions.triage(people["product"], feedback, "decline", "Sorry.", reason="Okta is on the partner roadmap.")
    assert (feedback.state, feedback.decline_reason) == ("declined", "Okta is on the partner roadmap.")


def test_now_needs_a_milestone_or_campaign_the_product_manager_can_see(feedback_world, people, make_project):
    feedback = filed(feedback_world, people)
    with pytest.raises(TransitionRefused) as refused:
        decisions.triage(people["product"], feedback, "now", "Planned.")
    assert refused.value.reasons == ["Say which milestone or campaign will deliver it."]
    hidden = make_project(title="Not theirs", product_manager_ids=[])
    with pytest.raises(InvalidInput) as error:
        decisions.triage(people["product"], feedback, "now", "Planned.", milestone_id=hidden.milestones[0].id)
    assert list(error.value.fields) == ["milestone_id"]
    with pytest.raises(InvalidInput) as error:
        decisions.triage(people["product"], feedback, "now", "Planned.", project_id=hidden.id)
    assert list(error.value.fields) == ["project_id"]
    decisions.triage(people["product"], feedback, "now", "In the upgrade campaign.", project_id=feedback_world["project"].id)
    assert (feedback.planned_project, feedback.milestone) == (feedback_world["project"], None)


def test_done_and_duplicate_are_final(feedback_world, people):
    feedback = filed(feedback_world, people)
    decisions.triage(people["product"], feedback, "done", "Shipped in 4.2")
    with pytest.raises(TransitionRefused) as refused:
        decisions.triage(people["product"], feedback, "decline", "No", reason="No")
    assert refused.value.reasons == ["A feedback item that is done cannot be declined."]


def test_a_stale_version_is_refused(feedback_world, people):
    feedback = filed(feedback_world, people)
    seen = feedback.version
    decisions.triage(people["product"], feedback, "later", "Next year.", revisit_on=future())
    db.session.commit()
    with pytest.raises(StaleEdit):
        decisions.triage(people["product"], feedback, "done", "Shipped", expected_version=seen)
    assert feedback.state == "later"


# --- duplicates --------------------------------------------------------------------------------

def test_a_duplicate_adds_its_weight_to_the_original_and_both_submitters_are_told(feedback_world, people):
    original = filed(feedback_world, people, revenue_at_stake=Decimal("10000.00"))
    again = filed(feedback_world, people, user="sales2", title="Okta SSO please", revenue_at_stake=Decimal("2500.50"))

    decisions.triage(people["product"], again, "duplicate", "", duplicate_of_id=original.id)

    assert (again.state, again.duplicate_of) == ("duplicate", original)
    assert original.weight == Decimal("12500.50") and original.state == "new"
    [told] = notes(people["sales2"], "feedback_answered")
    assert told.subject == "Your feedback “Okta SSO please”: duplicate — same as “Needs SSO with Okta”"
    assert f"#{original.id}" in told.body  # an answer is written for them when none is given
    [merged] = notes(people["sales"], "feedback_merged")
    assert merged.link == f"/feedback/{original.id}" and "12,500.50 EUR" in merged.body


def test_a_duplicate_cannot_be_of_itself_nor_of_another_duplicate(feedback_world, people):
    original = filed(feedback_world, people)
    first = filed(feedback_world, people, user="sales2", title="Okta")
    second = filed(feedback_world, people, user="sales2", title="Okta again")
    decisions.triage(people["product"], first, "duplicate", "", duplicate_of_id=original.id)
    reason = "Name the feedback item this one repeats (another item that is not itself a duplicate)."
    for target in (second.id, first.id, None):
        with pytest.raises(TransitionRefused) as refused:
            decisions.triage(people["product"], second, "duplicate", "", duplicate_of_id=target)
        assert refused.value.reasons == [reason]
    with pytest.raises(InvalidInput) as error:
        decisions.triage(people["product"], second, "duplicate", "", duplicate_of_id=999_999)
    assert list(error.value.fields) == ["duplicate_of_id"]
    assert second.state == "new" and original.weight == Decimal("24000.00")


def test_merged_weights_carry_on_down_a_chain(feedback_world, people):
    a = filed(feedback_world, people, revenue_at_stake=Decimal("100"))
    b = filed(feedback_world, people, revenue_at_stake=Decimal("50"))
    c = filed(feedback_world, people, revenue_at_stake=Decimal("10"))
    decisions.triage(people["product"], b, "duplicate", "", duplicate_of_id=a.id)
    decisions.triage(people["product"], a, "duplicate", "", duplicate_of_id=c.id)
    assert c.weight == Decimal("160")
    # a and b now lead to c: neither may become the original of c.
    with pytest.raises(TransitionRefused):
        decisions.triage(people["product"], c, "duplicate", "", duplicate_of_id=a.id)


# --- lists -------------------------------------------------------------------------------------

def test_the_queue_puts_new_first_then_the_heaviest_then_the_oldest(feedback_world, people):
    light = filed(feedback_world, people, title="Light", revenue_at_stake=Decimal("100"))
    heavy = filed(feedback_world, people, title="Heavy", revenue_at_stake=Decimal("9000"))
    planned = filed(feedback_world, people, title="Planned", revenue_at_stake=Decimal("99999"))
    same_a = filed(feedback_world, people, title="Same A", revenue_at_stake=Decimal("500"))
    same_b = filed(feedback_world, people, title="Same B", revenue_at_stake=Decimal("500"))
    done = filed(feedback_world, people, title="Done")
    theirs = filed(feedback_world, people, title="Theirs", product_ids=(feedback_world["other"].id,))
    decisions.triage(people["product"], planned, "later", "Next year.", revisit_on=future())
    decisions.triage(people["product"], done, "done", "Shipped")

    assert [f.title for f in decisions.triage_queue(people["product"]).items] == [
        heavy.title, same_a.title, same_b.title, light.title, planned.title,
    ]
    assert [f.title for f in decisions.triage_queue(feedback_world["other_pm"]).items] == [theirs.title]
    assert theirs in decisions.triage_queue(people["admin"]).items and done not in decisions.triage_queue(people["admin"]).items
    assert decisions.triage_queue(people["sales"]).items == []


def test_my_feedback_is_newest_first_and_search_filters(feedback_world, people):
    first = filed(feedback_world, people, title="Okta SSO", kind="feature_request")
    second = filed(feedback_world, people, title="Price too high", kind="pricing", customer="Globex 100%",
                   product_ids=(feedback_world["other"].id,))
    filed(feedback_world, people, user="sales2", title="Competitor X is cheaper", kind="competitor_intel")
    decisions.triage(people["product"], first, "done", "Shipped")

    assert services.my_feedback(people["sales"]).items == [second, first]
    assert services.search(people["sales2"], kind="pricing").items == [second]
    assert services.search(people["sales"], product_id=feedback_world["other"].id).items == [second]
    assert services.search(people["sales"], state="done").items == [first]
    assert services.search(people["sales"], text="okta").items == [first]
    assert services.search(people["sales"], text="100%").items == [second]  # a literal %, not a wildcard
    assert services.search(people["sales"], region_id=RegionFactory().id).items == []
    assert len(services.search(people["product"]).items) == 3
    assert services.search(people["team"]).items == []  # not a seller: only what they filed


def test_search_reads_its_rows_in_a_fixed_number_of_queries(feedback_world, people):
    for n in range(6):
        filed(feedback_world, people, title=f"Item {n}", product_ids=(feedback_world["product"].id, feedback_world["other"].id))
    admin = people["admin"]
    db.session.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        items = services.search(admin).items
        shown = [(f.region.name, f.submitted_by.name, [p.name for p in f.products]) for f in items]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(shown) == 6
    # The admin, the page of items, then once each: products, regions, submitters (those with no
    # decision, milestone, plan or duplicate need no query for those).
    assert len(statements) <= 5, statements


def test_the_submitter_is_told_of_a_campaign_they_are_not_on_without_its_name(feedback_world, people, make_project):
    item = planned_in_a_campaign_of_others(feedback_world, people, make_project)

    [told] = notes(people["sales"], "feedback_answered")
    assert told.subject == "Your feedback “Needs SSO with Okta”: now — planned in another campaign"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "feedback", AuditEvent.action == "feedback.now"))
    assert event.project_id == feedback_world["project"].id  # on the history of the campaign it was heard on
    assert SECRET_CAMPAIGN not in event.summary and SECRET_MILESTONE not in event.summary
    assert item.milestone.title == SECRET_MILESTONE  # what it names is kept, for who may open it
