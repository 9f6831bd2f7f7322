"""Who may countersign is one specification: the guard and the sign-off queue must agree on every person."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.commitments import access, services
from app.commitments.services import CommitmentInput
from app.core import clock
from app.projects.models import ProjectRole
from app.projects.services import add_member
from tests.factories import RegionFactory, UserFactory
from workflows.commitment import COMMITMENT_WORKFLOW, CommitmentFacts

PEOPLE = ("author", "both", "owner", "signer", "stranger")


@pytest.fixture
def waiting(make_project, make_product, people):
    """Two commitments waiting for countersignature.

    ``written``: a selling product manager wrote it, the campaign owner submitted it;
    ``own``: another selling product manager wrote and submitted it.
    """
    south = RegionFactory(name="Southern Europe")
    product = make_product(coverage={south: "sellable"})
    project = make_project(state="planned")
    author = UserFactory(role=Role.PRODUCT_MANAGER, name="Ada Author", sales_rep=True)
    both = UserFactory(role=Role.PRODUCT_MANAGER, name="Pat Both", sales_rep=True)
    product.owners.extend([author, both])
    for person in (author, both):
        add_member(people["pm"], project, person, ProjectRole.PRODUCT_MANAGER)

    def record(writer, customer):
        return services.create_commitment(writer, project, CommitmentInput(
            customer=customer, product_id=product.id, region_id=south.id, promise="SSO for 500 seats",
            promised_date=clock.today() + timedelta(days=60), unit_price=Decimal("90.00"), quantity=500,
            band_id=product.bands[0].id))

    written, own = record(author, "Acme GmbH"), record(both, "Globex")
    services.fire(people["sales"], written, "submit")
    services.fire(both, own, "submit")
    return {"written": written, "own": own, "author": author, "both": both, "owner": people["sales"],
            "signer": people["product"], "stranger": UserFactory(role=Role.PRODUCT_MANAGER, name="Stan Stranger")}


def _guard_allows(user, commitment) -> bool:
    facts = CommitmentFacts(actor_is_submitter=access.is_party(user, commitment, "submitter"),
                            actor_is_author=access.is_party(user, commitment, "author"))
    return COMMITMENT_WORKFLOW.check(commitment.state, "approve", access.roles_for(user, commitment), facts).allowed


def test_the_queue_lists_a_commitment_for_exactly_those_the_guard_lets_countersign(waiting):
    for name in PEOPLE:
        user = waiting[name]
        queued = set(services.signoff_queue(user).items)
        for key in ("written", "own"):
            assert (waiting[key] in queued) == _guard_allows(user, waiting[key]), (name, key)
        assert services.signoff_count(user) == len(queued), name
    # Separation of duties both ways: neither the author nor the submitter sees their own promise.
    assert {n for n in PEOPLE if waiting["written"] in services.signoff_queue(waiting[n]).items} == {"both", "signer"}
    assert {n for n in PEOPLE if waiting["own"] in services.signoff_queue(waiting[n]).items} == {"author", "signer"}


def test_a_countersignature_runs_the_feasibility_checks_once(waiting, feasibility_runs):
    services.fire(waiting["signer"], waiting["written"], "approve")
    assert waiting["written"].state == "approved"
    assert len(feasibility_runs) == 1
