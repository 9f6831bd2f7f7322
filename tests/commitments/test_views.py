"""The commitment pages: who may record, see, edit and countersign, and what each of them sees."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.commitments import services
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput
from app.core import clock
from app.core.errors import InvalidInput
from app.extensions import db
from app.projects.models import ProjectRole
from app.projects.services import add_member
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def world(make_project, make_product, people):
    """A planned campaign selling Northwind Pro: sellable in the South, not allowed in the North.

    The product's manager (people["product"]) is not on this campaign: they see its
    commitments because they own the product, not because they belong to it.
    """
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product(coverage={south: "sellable", north: "not_allowed"})
    project = make_project(state="planned", product_manager_ids=[])
    db.session.commit()
    return {"project": project, "product": product, "south": south, "north": north}


def terms(world, region="south", **overrides) -> CommitmentInput:
    fields = dict(customer="Acme GmbH", product_id=world["product"].id, region_id=world[region].id,
                  promise="SSO for 500 seats", promised_date=clock.today() + timedelta(days=60),
                  unit_price=Decimal("90.00"), quantity=500, band_id=world["product"].bands[0].id)
    fields.update(overrides)
    return CommitmentInput(**fields)


def form_data(world, region="south", **overrides) -> dict[str, str]:
    data = {"customer": "Acme GmbH", "product_id": str(world["product"].id), "region_id": str(world[region].id),
            "promise": "SSO for 500 seats", "promised_date": (clock.today() + timedelta(days=60)).isoformat(),
            "band_id": str(world["product"].bands[0].id), "unit_price": "90.00", "discount_percent": "10",
            "quantity": "500", "milestone_id": ""}
    data.update(overrides)
    return data


def recorded(world, people, region="south", submit=True, **overrides) -> Commitment:
    commitment = services.create_commitment(people["sales"], world["project"], terms(world, region, **overrides))
    if submit:
        # A blocked promise (the Nordics) goes on only with the seller's word for it.
        services.fire(people["sales"], commitment, "submit", justification="Submitted over the checks")
    db.session.commit()
    return commitment


def text(response) -> str:
    return response.get_data(as_text=True)


# --- recording ---------------------------------------------------------------------------------

def test_sales_records_a_commitment_as_a_draft(world, people, login):
    sales = login(people["sales"])
    url = f"/campaigns/{world['project'].id}/commitments/new"
    page = sales.get(url)
    assert page.status_code == 200 and "Record a commitment" in text(page)
    response = sales.post(url, data=form_data(world))
    commitment = db.session.scalar(sa.select(Commitment))
    assert response.status_code == 302 and response.location.endswith(f"/commitments/{commitment.id}")
    assert (commitment.state, commitment.customer.name, commitment.quantity) == ("draft", "Acme GmbH", 500)
    assert commitment.effective_price == Decimal("81.00")
    shown = text(sales.get(response.location))
    assert "Commitment recorded as a draft" in shown
    assert "81 EUR" in shown and "Pro: list 100 EUR, minimum 80 EUR" in shown
    assert "Submit for countersignature" in shown and "Edit terms" in shown


def test_a_bad_record_shows_the_field_errors_and_saves_nothing(world, people, login):
    response = login(people["sales"]).post(
        f"/campaigns/{world['project'].id}/commitments/new",
        data=form_data(world, customer="", band_id="999999"),
    )
    assert response.status_code == 200
    assert "field-error" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0


def test_a_team_member_who_does_not_sell_cannot_record(world, people, login):
    team = login(people["team"])
    url = f"/campaigns/{world['project'].id}/commitments/new"
    page = team.get(url, follow_redirects=True)
    assert page.status_code == 200
    assert "Commitments are recorded by the campaign owner or by members who sell." in text(page)
    assert "Record a commitment</a>" not in text(page)
    team.post(url, data=form_data(world))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0
    # Once they sell, they may.
    people["team"].sales_rep = True
    assert team.post(url, data=form_data(world)).status_code == 302
    assert db.session.scalar(sa.select(Commitment)).created_by_id == people["team"].id


# --- who sees what -----------------------------------------------------------------------------

def test_outsiders_get_404_on_every_commitment_url(world, people, login):
    commitment = recorded(world, people)
    outsider = login(people["outsider"])
    assert outsider.get(f"/commitments/{commitment.id}").status_code == 404
    assert outsider.get(f"/commitments/{commitment.id}/edit").status_code == 404
    assert outsider.post(f"/commitments/{commitment.id}/edit", data=form_data(world)).status_code == 404
    assert outsider.post(f"/commitments/{commitment.id}/decide", data={"event": "withdraw", "reason": "x"}).status_code == 404
    assert outsider.get(f"/campaigns/{world['project'].id}/commitments/new").status_code == 404
    assert outsider.get("/commitments/999999").status_code == 404
    db.session.refresh(commitment)
    assert commitment.state == "pending_signoff"


def test_the_products_manager_decides_without_being_on_the_campaign(world, people, login):
    commitment = recorded(world, people)
    product = login(people["product"])
    assert product.get(f"/campaigns/{world['project'].id}").status_code == 404
    page = text(product.get(f"/commitments/{commitment.id}"))
    assert "Your countersignature" in page and "All checks pass" in page
    assert world["project"].title in page
    assert f'href="/campaigns/{world["project"].id}"' not in page  # the title, not a link they cannot open
    assert "Edit terms" not in page
    response = product.post(f"/commitments/{commitment.id}/decide",
                            data={"event": "approve", "reason": "Fine for the pilot"})
    assert response.status_code == 302
    db.session.refresh(commitment)
    assert (commitment.state, commitment.decided_by_id, commitment.decision_note) == (
        "approved", people["product"].id, "Fine for the pilot")
    page = text(product.get(f"/commitments/{commitment.id}"))
    assert "Countersigned: the commitment now binds." in page
    assert "Countersigned</strong> by Pat Product" in page and "Fine for the pilot" in page
    assert "Your countersignature" not in page
    # A campaign member sees the way back to the campaign.
    assert f'href="/campaigns/{world["project"].id}"' in text(login(people["team"]).get(f"/commitments/{commitment.id}"))


def test_a_product_manager_of_another_product_gets_404(world, people, login, make_product):
    other = UserFactory(role=Role.PRODUCT_MANAGER)
    make_product(name="Other", owners=[other])
    commitment = recorded(world, people)
    client = login(other)
    assert client.get(f"/commitments/{commitment.id}").status_code == 404
    assert client.post(f"/commitments/{commitment.id}/decide", data={"event": "approve"}).status_code == 404
    db.session.refresh(commitment)
    assert commitment.state == "pending_signoff"


# --- the sign-off ------------------------------------------------------------------------------

def test_the_submitter_cannot_countersign_by_a_crafted_post(world, people, login):
    both = UserFactory(role=Role.PRODUCT_MANAGER, name="Pat Both", sales_rep=True)
    world["product"].owners.append(both)
    add_member(people["pm"], world["project"], both, ProjectRole.PRODUCT_MANAGER)
    commitment = services.create_commitment(both, world["project"], terms(world))
    services.fire(both, commitment, "submit")
    db.session.commit()
    client = login(both)
    page = text(client.get(f"/commitments/{commitment.id}"))
    assert "Your countersignature" not in page  # no decision panel for the submitter...
    assert "another product manager of the product must countersign it" in page  # ...but the reason why
    response = client.post(f"/commitments/{commitment.id}/decide", data={"event": "approve"})
    assert response.status_code == 409
    assert "The commitment could not be moved on." in text(response)
    assert "You submitted this commitment" in text(response)
    db.session.refresh(commitment)
    assert (commitment.state, commitment.decided_by_id) == ("pending_signoff", None)
    # Sales cannot countersign either.
    response = login(people["sales"]).post(f"/commitments/{commitment.id}/decide", data={"event": "approve"})
    assert response.status_code == 409 and "a product manager of the product" in text(response)
    db.session.refresh(commitment)
    assert commitment.state == "pending_signoff"


def test_blockers_need_a_written_justification_on_the_page(world, people, login):
    commitment = recorded(world, people, region="north")
    product = login(people["product"])
    page = text(product.get(f"/commitments/{commitment.id}"))
    assert "finding-blocker" in page and "Nordics may not be sold" in page
    assert "Countersigning despite blockers needs a written justification" in page
    assert 'name="justification"' in page and "Countersign despite blockers" in page
    refused = product.post(f"/commitments/{commitment.id}/decide",
                           data={"event": "approve", "reason": "Keeping my note", "justification": "  "})
    assert refused.status_code == 409
    assert "countersigning it anyway needs a written justification" in text(refused)
    assert "Keeping my note" in text(refused)  # what was typed is shown again
    db.session.refresh(commitment)
    assert commitment.state == "pending_signoff"
    product.post(f"/commitments/{commitment.id}/decide",
                 data={"event": "approve", "justification": "Pilot under the regulator's sandbox"})
    db.session.refresh(commitment)
    assert commitment.state == "approved"
    assert commitment.override_justification == "Pilot under the regulator's sandbox"
    # Everyone on the campaign sees the override, prominently.
    seen = text(login(people["team"]).get(f"/commitments/{commitment.id}"))
    assert "Countersigned despite blockers" in seen and "Pilot under the regulator&#39;s sandbox" in seen


def test_a_page_without_blockers_asks_no_justification(world, people, login):
    commitment = recorded(world, people)
    page = text(login(people["product"]).get(f"/commitments/{commitment.id}"))
    assert 'name="justification"' not in page and "Countersigned despite blockers" not in page


def test_reject_and_request_changes_need_a_note(world, people, login):
    commitment = recorded(world, people)
    product = login(people["product"])
    refused = product.post(f"/commitments/{commitment.id}/decide", data={"event": "reject", "reason": ""})
    assert refused.status_code == 409
    db.session.refresh(commitment)
    assert commitment.state == "pending_signoff"
    product.post(f"/commitments/{commitment.id}/decide", data={"event": "request_changes", "reason": "Wrong tier"})
    db.session.refresh(commitment)
    assert (commitment.state, commitment.decision_note) == ("changes_requested", "Wrong tier")
    page = text(login(people["sales"]).get(f"/commitments/{commitment.id}"))
    assert "Changes requested</strong> by Pat Product" in page and "Wrong tier" in page


def test_sales_submits_and_withdraws_through_the_page(world, people, login):
    commitment = recorded(world, people, submit=False)
    sales = login(people["sales"])
    sales.post(f"/commitments/{commitment.id}/decide", data={"event": "submit"})
    db.session.refresh(commitment)
    assert commitment.state == "pending_signoff" and commitment.submitted_by_id == people["sales"].id
    sales.post(f"/commitments/{commitment.id}/decide", data={"event": "withdraw", "reason": "Customer walked"})
    db.session.refresh(commitment)
    assert commitment.state == "withdrawn"
    history = text(sales.get(f"/commitments/{commitment.id}"))
    # The commitment's own history, newest first.
    assert history.index("Withdraw: Customer walked") < history.index("Submit for countersignature") \
        < history.index("Recorded commitment")


# --- editing -----------------------------------------------------------------------------------

def test_editing_countersigned_terms_needs_a_reason_and_sends_them_back(world, people, login):
    commitment = recorded(world, people)
    services.fire(people["product"], commitment, "approve")
    db.session.commit()
    sales = login(people["sales"])
    url = f"/commitments/{commitment.id}/edit"
    page = text(sales.get(url))
    assert "Changing countersigned terms sends the commitment back for countersignature" in page
    assert 'name="reason"' in page
    version = commitment.version
    response = sales.post(url, data=form_data(world, quantity="800", discount_percent="", version=str(version)))
    assert response.status_code == 200
    assert "A reason is required: the product manager countersigns again." in text(response)
    db.session.refresh(commitment)
    assert (commitment.state, commitment.quantity, commitment.version) == ("approved", 500, version)
    response = sales.post(url, data=form_data(world, quantity="800", discount_percent="", version=str(version),
                                              reason="The customer grew"))
    assert response.status_code == 302
    db.session.refresh(commitment)
    assert (commitment.state, commitment.quantity, commitment.decided_by_id) == ("pending_signoff", 800, None)
    assert "back with the product managers" in text(sales.get(response.location))


def test_a_draft_is_edited_freely_and_a_stale_edit_is_refused(world, people, login):
    commitment = recorded(world, people, submit=False)
    sales = login(people["sales"])
    url = f"/commitments/{commitment.id}/edit"
    assert 'name="reason"' not in text(sales.get(url))
    old = commitment.version
    assert sales.post(url, data=form_data(world, customer="Globex", version=str(old))).status_code == 302
    db.session.refresh(commitment)
    assert commitment.customer.name == "Globex"
    stale = sales.post(url, data=form_data(world, customer="Initech", version=str(old)))
    assert stale.status_code == 200 and "changed by someone else" in text(stale)
    db.session.refresh(commitment)
    assert commitment.customer.name == "Globex"


def test_who_may_not_edit_is_sent_back_to_the_page(world, people, login):
    commitment = recorded(world, people)
    response = login(people["product"]).get(f"/commitments/{commitment.id}/edit", follow_redirects=True)
    assert "Only the commitment&#39;s author or the campaign owner change its terms." in text(response)
    response = login(people["sales"]).get(f"/commitments/{commitment.id}/edit", follow_redirects=True)
    assert "waiting for countersignature cannot be edited" in text(response)


# --- the campaign page and the dashboard -------------------------------------------------------

def test_the_campaign_page_lists_commitments_with_their_blockers(world, people, login):
    recorded(world, people, customer="Acme GmbH")
    recorded(world, people, region="north", customer="Nordic Oy", submit=False)
    page = text(login(people["sales"]).get(f"/campaigns/{world['project'].id}"))
    card = page[page.index('id="commitments"'):page.index('id="roadmap"')]
    assert "Acme GmbH" in card and "Nordic Oy" in card and "Nordics" in card
    assert "Waiting for countersignature" in card and "Draft" in card
    assert "1 blocker" in card and "clear" in card
    assert "Record a commitment" in card
    assert "Nothing promised binds until a product manager countersigns it" in card
    assert "2 not countersigned" in card
    team_card = text(login(people["team"]).get(f"/campaigns/{world['project'].id}"))
    assert "Acme GmbH" in team_card and "Record a commitment</a>" not in team_card


def test_the_dashboard_queue_is_oldest_first_with_its_age(world, people, login):
    late = recorded(world, people, customer="Late Ltd")
    early = recorded(world, people, region="north", customer="Early AG")
    now = clock.now()
    early.submitted_at = now - timedelta(days=3, hours=2)
    late.submitted_at = now - timedelta(hours=5)
    db.session.commit()
    page = text(login(people["product"]).get("/"))
    assert "Waiting for your countersignature" in page
    queue = page[page.index('id="signoff-queue"'):]
    assert queue.index("Early AG") < queue.index("Late Ltd")
    assert "3 days" in queue and "5 hours" in queue
    assert "1 blocker" in queue and "Sam Seller" in queue and world["project"].title in queue
    # The queue comes first on the page.
    assert page.index('id="signoff-queue"') < page.index('id="campaigns"')
    # Nobody else has a queue.
    assert "Waiting for your countersignature" not in text(login(people["sales"]).get("/"))
    # My work lists the same rows, a page at a time.
    whole = text(login(people["product"]).get("/my-work/signoff"))
    assert whole.index("Early AG") < whole.index("Late Ltd") and "3 days" in whole and "Sam Seller" in whole


def test_sales_see_their_open_commitments_on_the_dashboard(world, people, login):
    recorded(world, people, customer="Acme GmbH")
    gone = recorded(world, people, customer="Gone Inc", submit=False)
    services.fire(people["sales"], gone, "withdraw", reason="Lost")
    db.session.commit()
    page = text(login(people["sales"]).get("/"))
    mine = page[page.index('id="my-commitments"'):]
    assert "Acme GmbH" in mine and "Waiting for countersignature" in mine
    assert "Gone Inc" not in mine
    assert 'id="my-commitments"' not in text(login(people["pm"]).get("/"))
    listed = text(login(people["sales"]).get("/my-work/commitments"))
    assert "Acme GmbH" in listed and "Gone Inc" not in listed


def test_a_closed_campaign_takes_no_new_commitments_and_offers_no_steps(world, people, login):
    from app.projects.services import fire_transition

    approved = recorded(world, people)
    services.fire(people["product"], approved, "approve")
    fire_transition(people["pm"], world["project"], "cancel", "Budget cut")
    db.session.commit()
    sales = login(people["sales"])
    page = sales.get(f"/campaigns/{world['project'].id}/commitments/new", follow_redirects=True)
    assert "This campaign is cancelled: no new commitments can be recorded." in text(page)
    shown = text(sales.get(f"/commitments/{approved.id}"))
    assert "Edit terms" not in shown and 'name="event"' not in shown
    response = sales.post(f"/commitments/{approved.id}/decide", data={"event": "fulfil"})
    assert response.status_code == 409 and "can no longer change" in text(response)
    db.session.refresh(approved)
    assert approved.state == "approved"


# --- the form's live checks (issue 19) ------------------------------------------------------------

def _checks_url(world) -> str:
    return f"/campaigns/{world['project'].id}/commitments/checks"


def _counts() -> tuple[int, ...]:
    from app.audit.models import AuditEvent
    from app.customers.models import Customer
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Commitment, Customer, AuditEvent))


def test_the_live_checks_say_what_the_product_manager_will_read_and_write_nothing(world, people, login):
    sales = login(people["sales"])
    before = _counts()
    answer = sales.post(_checks_url(world), data=form_data(world, region="north", customer="Brand New Ltd",
                                                           promise=""))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["checked"] is True and (body["blockers"], body["warnings"]) == (1, 0)
    assert [(f["code"], f["severity"]) for f in body["findings"]] == [("region_not_allowed", "blocker")]
    assert _counts() == before  # no commitment, no new customer "Brand New Ltd", no audit event
    # Worded as on the product manager's side: the same workflows.feasibility message.
    saved = recorded(world, people, region="north", submit=False)
    assert body["findings"][0]["message"] == services.findings(saved)[0].message

    clear = sales.post(_checks_url(world), data=form_data(world)).get_json()
    assert clear["checked"] is True and clear["findings"] == [] and clear["errors"] == {}
    # Until product, region and a valid date are given there is nothing to check, only what is missing.
    half = sales.post(_checks_url(world), data=form_data(world, promised_date="", product_id="")).get_json()
    assert half["checked"] is False and half["findings"] == [] and set(half["errors"]) == {"product_id", "promised_date"}


def test_the_live_checks_follow_the_edit_form_of_a_commitment(world, people, login):
    commitment = recorded(world, people, submit=False)
    answer = login(people["sales"]).post(f"/commitments/{commitment.id}/checks",
                                         data=form_data(world, unit_price="10.00", discount_percent="0"))
    assert [f["code"] for f in answer.get_json()["findings"]] == ["below_band"]
    assert commitment.unit_price == Decimal("90.00")  # nothing changed


def test_the_live_checks_are_for_who_may_record_or_edit_only(world, people, login, make_project):
    other = make_project(title="Another campaign", state="planned", owner=people["sales2"])
    sales = login(people["sales"])
    assert sales.post(f"/campaigns/{other.id}/commitments/checks", data=form_data(world)).status_code == 404
    for who in ("outsider", "team", "product"):  # not on it, on it but not selling, countersigning it
        assert login(people[who]).post(_checks_url(world), data=form_data(world)).status_code == 404
    theirs = services.create_commitment(people["sales2"], other, terms(world))
    db.session.commit()
    assert sales.post(f"/commitments/{theirs.id}/checks", data=form_data(world)).status_code == 404
    pending = recorded(world, people)  # submitted: not editable, so no edit form to check for
    assert sales.post(f"/commitments/{pending.id}/checks", data=form_data(world)).status_code == 404


def test_the_live_checks_need_the_forms_csrf_token(world, people, login, configure):
    sales = login(people["sales"])
    configure(WTF_CSRF_ENABLED=True)
    assert sales.post(_checks_url(world), data=form_data(world)).status_code == 400
    page = text(sales.get(f"/campaigns/{world['project'].id}/commitments/new"))
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0] \
        if 'name="csrf_token" type="hidden" value="' in page else page.split('value="', 1)[1].split('"', 1)[0]
    answer = sales.post(_checks_url(world), data={**form_data(world), "csrf_token": token})
    assert answer.status_code == 200 and answer.get_json()["checked"] is True
    assert f'data-checks-url="{_checks_url(world)}"' in page and 'aria-live="polite"' in page
    assert "js/commitment-checks.js" in page


def test_a_past_promised_date_is_a_blocker_from_midnight_on(world, people, login, clock):
    clock.to(datetime(2026, 11, 17, 23, 59, 59))  # a second before midnight, then at it
    sales = login(people["sales"])
    on_the_day = form_data(world, promised_date="2026-11-17")
    assert sales.post(_checks_url(world), data=on_the_day).get_json()["findings"] == []
    clock.to(datetime(2026, 11, 18, 0, 0, 0))
    answer = sales.post(_checks_url(world), data=on_the_day).get_json()
    assert answer["findings"] == [{"code": "date_past", "severity": "blocker",
                                   "message": "The promised date 17 Nov 2026 is in the past (today is 18 Nov 2026)."}]
    # Saved without JavaScript, the draft's page says the same beside "Submit".
    response = sales.post(f"/campaigns/{world['project'].id}/commitments/new", data=on_the_day)
    page = text(sales.get(response.location))
    assert "The promised date 17 Nov 2026 is in the past" in page and "Submit despite blockers" in page


def test_regions_are_the_campaigns_in_the_form_and_in_the_service(world, people, login):
    elsewhere = RegionFactory(name="Atlantis")  # made after the campaign: not one of its regions
    db.session.commit()
    sales = login(people["sales"])
    url = f"/campaigns/{world['project'].id}/commitments/new"
    assert ">Atlantis<" not in text(sales.get(url)) and ">Nordics<" in text(sales.get(url))
    refused = sales.post(url, data=form_data(world, region_id=str(elsewhere.id)))
    assert refused.status_code == 200 and "Choose one of the campaign&#39;s regions (Nordics, Southern Europe)." in text(refused)
    assert ">Atlantis<" not in text(refused)
    with pytest.raises(InvalidInput) as error:
        services.create_commitment(people["sales"], world["project"], terms(world, region_id=elsewhere.id))
    assert error.value.fields["region_id"] == ["Choose one of the campaign's regions (Nordics, Southern Europe)."]
    # A commitment keeps its region when the campaign drops it.
    kept = recorded(world, people, submit=False)
    world["project"].regions.remove(world["south"])
    db.session.commit()
    assert ">Southern Europe<" in text(sales.get(f"/commitments/{kept.id}/edit"))
    assert sales.post(f"/commitments/{kept.id}/edit",
                      data=form_data(world, version=str(kept.version), quantity="600")).status_code == 302


def test_submitting_over_blockers_asks_the_seller_why_on_the_page(world, people, login):
    commitment = recorded(world, people, region="north", submit=False)
    sales = login(people["sales"])
    page = text(sales.get(f"/commitments/{commitment.id}"))
    assert "1 blocker stands against this promise." in page and "Submit despite blockers" in page
    assert 'value="submit"' in page
    refused = sales.post(f"/commitments/{commitment.id}/decide", data={"event": "submit"})
    assert refused.status_code == 409 and "say why it should be submitted anyway" in text(refused)
    assert db.session.get(Commitment, commitment.id).state == "draft"
    sent = sales.post(f"/commitments/{commitment.id}/decide",
                      data={"event": "submit", "justification": "Pilot under the regulator's sandbox"})
    assert sent.status_code == 302 and db.session.get(Commitment, commitment.id).state == "pending_signoff"
    assert "despite blockers: Pilot under the regulator" in text(login(people["product"]).get(sent.location))


def test_without_blockers_submit_stays_a_plain_button(world, people, login):
    commitment = recorded(world, people, submit=False)
    page = text(login(people["sales"]).get(f"/commitments/{commitment.id}"))
    assert "Submit despite blockers" not in page and "Submit for countersignature" in page
