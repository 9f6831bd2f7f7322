"""The countersignature rules, end to end through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.commitments import access, services
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed, TransitionRefused
from app.extensions import db
from app.notifications.models import Notification
from app.projects.models import Project, ProjectRole
from app.projects.services import add_member, fire_transition
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def world(make_project, make_product, people):
    """A planned campaign selling Northwind Pro, sellable in the South, not allowed in the North."""
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product(coverage={south: "sellable", north: "not_allowed"})
    project = make_project(state="planned")
    return {"project": project, "product": product, "south": south, "north": north}


def promise(world, region="south", **overrides) -> CommitmentInput:
    fields = dict(customer="Acme GmbH", product_id=world["product"].id, region_id=world[region].id,
                  promise="SSO for 500 seats", promised_date=clock.today() + timedelta(days=60),
                  unit_price=Decimal("90.00"), quantity=500, band_id=world["product"].bands[0].id)
    fields.update(overrides)
    return CommitmentInput(**fields)


def test_the_submitter_can_never_countersign_their_own_promise(world, people):
    # A product manager of the product who also sells, on the campaign: may submit, never countersign.
    both = UserFactory(role=Role.PRODUCT_MANAGER, name="Pat Both", sales_rep=True)
    world["product"].owners.append(both)
    add_member(people["pm"], world["project"], both, ProjectRole.PRODUCT_MANAGER)
    commitment = services.create_commitment(both, world["project"], promise(world))
    services.fire(both, commitment, "submit")
    with pytest.raises(TransitionRefused) as refused:
        services.fire(both, commitment, "approve")
    assert "another product manager" in refused.value.reasons[0]
    services.fire(people["product"], commitment, "approve")
    assert commitment.state == "approved" and commitment.decided_by == people["product"]


def test_a_product_manager_of_another_product_cannot_decide(world, people, make_product):
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    make_product(name="Other", owners=[other_pm])
    commitment = services.create_commitment(people["sales"], world["project"], promise(world))
    services.fire(people["sales"], commitment, "submit")
    for event in ("approve", "reject", "request_changes"):
        with pytest.raises(TransitionRefused) as refused:
            services.fire(other_pm, commitment, event, reason="No")
        assert "a product manager of the product" in refused.value.reasons[0]
    with pytest.raises(TransitionRefused):
        services.fire(people["sales"], commitment, "approve")  # sales cannot countersign either
    assert commitment.state == "pending_signoff"


def test_blockers_need_a_written_justification_which_is_kept(world, people):
    commitment = services.create_commitment(people["sales"], world["project"], promise(world, region="north"))
    assert [f.code for f in services.findings(commitment)] == ["region_not_allowed"]
    with pytest.raises(TransitionRefused) as refused:
        services.fire(people["sales"], commitment, "submit")  # the seller, too, says why it goes on over a blocker
    assert refused.value.reasons == ["1 blocker stands against this commitment: change the terms, "
                                     "or say why it should be submitted anyway."]
    assert commitment.state == "draft"
    services.fire(people["sales"], commitment, "submit", justification="The customer takes it as a sandbox pilot")
    submitted = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_id == commitment.id,
                                                               AuditEvent.action == "commitment.submit")).one()
    assert submitted.summary.startswith(
        "Submit for countersignature (despite blockers: The customer takes it as a sandbox pilot)")
    assert submitted.details["justification"] == "The customer takes it as a sandbox pilot"
    with pytest.raises(TransitionRefused) as refused:
        services.fire(people["product"], commitment, "approve")
    assert "written justification" in refused.value.reasons[0]
    services.fire(people["product"], commitment, "approve", justification="Pilot under a regulator sandbox")
    assert commitment.override_justification == "Pilot under a regulator sandbox"


def test_the_submitter_hears_the_decision_and_signers_hear_the_request(world, people):
    commitment = services.create_commitment(people["sales"], world["project"], promise(world))
    services.fire(people["sales"], commitment, "submit")
    about_commitments = sa.select(Notification).where(Notification.kind.not_like("project_%"))
    [request] = db.session.scalars(about_commitments.where(Notification.user_id == people["product"].id))
    assert request.kind == "signoff_requested" and request.link == f"/commitments/{commitment.id}"
    services.fire(people["product"], commitment, "reject", reason="Wrong tier")
    [answer] = db.session.scalars(about_commitments.where(Notification.user_id == people["sales"].id))
    assert answer.kind == "commitment_reject" and answer.body == "Wrong tier"


def test_editing_a_countersigned_commitment_sends_it_back_with_the_reason(world, people):
    commitment = services.create_commitment(people["sales"], world["project"], promise(world))
    services.fire(people["sales"], commitment, "submit")
    services.fire(people["product"], commitment, "approve")
    changed = promise(world, quantity=800)
    with pytest.raises(InvalidInput) as error:
        services.update_commitment(people["sales"], commitment, changed, commitment.version)
    assert "reason" in error.value.fields
    services.update_commitment(people["sales"], commitment, changed, commitment.version, reason="Customer grew")
    assert (commitment.state, commitment.quantity, commitment.decided_by) == ("pending_signoff", 800, None)


def test_launch_waits_for_every_countersignature_and_names_each_one(world, people):
    project = world["project"]
    first = services.create_commitment(people["sales"], project, promise(world))
    second = services.create_commitment(people["sales"], project, promise(world, customer="Globex"))
    services.fire(people["sales"], second, "submit")
    with pytest.raises(TransitionRefused) as refused:
        fire_transition(people["pm"], project, "launch")
    assert refused.value.reasons == [
        "Commitment Acme GmbH: Northwind Pro in Southern Europe (draft) is not countersigned yet.",
        "Commitment Globex: Northwind Pro in Southern Europe (waiting for countersignature) is not countersigned yet.",
    ]
    services.fire(people["sales"], first, "withdraw", reason="Customer chose another vendor")
    services.fire(people["product"], second, "approve")
    fire_transition(people["pm"], project, "launch")
    assert project.state == "active"


def test_only_sellers_record_and_the_signoff_queue_is_oldest_first(world, people):
    with pytest.raises(NotAllowed):
        services.create_commitment(people["team"], world["project"], promise(world))
    people["team"].sales_rep = True
    early = services.create_commitment(people["team"], world["project"], promise(world, customer="Early"))
    late = services.create_commitment(people["sales"], world["project"], promise(world, customer="Late"))
    services.fire(people["team"], early, "submit")
    services.fire(people["sales"], late, "submit")
    assert [c.customer.name for c in services.signoff_queue(people["product"]).items] == ["Early", "Late"]
    assert services.signoff_queue(people["sales"]).items == []


def test_product_managers_see_their_products_commitments_outsiders_do_not(world, people):
    commitment = services.create_commitment(people["sales"], world["project"], promise(world))
    visible = lambda user: db.session.scalar(  # noqa: E731
        access.visible_commitments(user).where(Commitment.id == commitment.id)
    )
    outsider_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    assert visible(people["product"]) is not None  # owns the product, not on the campaign
    assert visible(people["team"]) is not None  # on the campaign
    assert visible(people["outsider"]) is None and visible(outsider_pm) is None


def test_the_author_cannot_countersign_even_when_someone_else_submitted(world, people):
    author = UserFactory(role=Role.PRODUCT_MANAGER, name="Pat Author", sales_rep=True)
    world["product"].owners.append(author)
    add_member(people["pm"], world["project"], author, ProjectRole.PRODUCT_MANAGER)
    commitment = services.create_commitment(author, world["project"], promise(world))
    services.fire(people["sales"], commitment, "submit")  # the campaign owner submits it
    with pytest.raises(TransitionRefused) as refused:
        services.fire(author, commitment, "approve")
    assert refused.value.reasons == ["You wrote this commitment: another product manager of the product must countersign it."]
    assert services.signoff_queue(author).items == []  # not theirs to decide
    assert [c.id for c in services.signoff_queue(people["product"]).items] == [commitment.id]


def test_cancelling_a_campaign_withdraws_its_unsigned_commitments_and_empties_the_queue(world, people):
    pending = services.create_commitment(people["sales"], world["project"], promise(world))
    services.fire(people["sales"], pending, "submit")
    draft = services.create_commitment(people["sales"], world["project"], promise(world, customer="Draft Co"))
    fire_transition(people["pm"], world["project"], "cancel", "Budget frozen")
    assert (pending.state, draft.state) == ("withdrawn", "withdrawn")
    assert pending.decision_note == "" and services.signoff_queue(people["product"]).items == []
    assert services.options(people["product"], pending) == []


def test_the_sign_off_queue_reads_its_checks_in_a_fixed_number_of_queries(world, people):
    def queries_for_queue() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.remove()  # a fresh request's session: nothing loaded yet
            for commitment in services.signoff_queue(db.session.get(User, product_id)).items:
                services.findings(commitment)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    product_id, sales_id, project_id = people["product"].id, people["sales"].id, world["project"].id
    dues = [(m.id, m.due_date) for m in world["project"].milestones]
    terms = promise(world)

    def submit(customer: str, milestone_index: int) -> None:
        milestone_id, due = dues[milestone_index]  # each promise hangs on its own milestone, as in real queues
        seller, project = db.session.get(User, sales_id), db.session.get(Project, project_id)
        commitment = services.create_commitment(seller, project, replace(
            terms, customer=customer, milestone_id=milestone_id, promised_date=due + timedelta(days=1)))
        # An early milestone may be due before today: such a promise goes on with the seller's word.
        services.fire(seller, commitment, "submit", justification="Queued for the query count")

    submit("First", 0)
    db.session.commit()
    one = queries_for_queue()
    for n in range(1, 5):
        submit(f"More {n}", n)
    db.session.commit()
    assert queries_for_queue() == one  # five in the queue cost what one did
