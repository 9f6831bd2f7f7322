"""The feedback pages: filing, finding, triaging, the submitter's page and the queue, and who sees what."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.commitments import services as commitments
from app.core import clock
from app.extensions import db
from app.feedback import decisions, services
from app.feedback.models import Feedback
from app.feedback.services import FeedbackInput
from app.notifications.models import Notification
from tests.factories import RegionFactory
from tests.feedback import SECRET_CAMPAIGN, SECRET_MILESTONE, planned_in_a_campaign_of_others


def filed(feedback_world, people, user="sales", **overrides) -> Feedback:
    fields = dict(kind="feature_request", title="Needs SSO with Okta", region_id=feedback_world["region"].id,
                  product_ids=(feedback_world["product"].id,), customer="Acme GmbH", revenue_at_stake=Decimal("12000"))
    fields.update(overrides)
    feedback = services.file_feedback(people[user], FeedbackInput(**fields))
    db.session.commit()
    return feedback


def form_data(feedback_world, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "competitor_intel", "title": "Globex undercuts us by 20%", "product_ids": [str(feedback_world["product"].id)],
        "region_id": str(feedback_world["region"].id), "details": "Their rep offered two free months.",
        "customer": "Acme GmbH", "source_name": "Jane Doe", "channel": "lost_deal", "revenue_at_stake": "48000.00",
        "currency": "EUR", "project_id": str(feedback_world["project"].id), "commitment_id": "",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.get_data(as_text=True)


def words(response) -> str:
    """The page's text as a reader sees it: no tags, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


# --- filing ------------------------------------------------------------------------------------

def test_a_seller_files_feedback_through_the_form(feedback_world, people, login):
    sales = login(people["sales"])
    page = sales.get("/feedback/new")
    assert page.status_code == 200 and "File feedback" in text(page) and "Contoso Hub" in text(page)

    response = sales.post("/feedback/new", data=form_data(feedback_world))

    feedback = db.session.scalar(sa.select(Feedback))
    assert response.status_code == 302 and response.location.endswith(f"/feedback/{feedback.id}")
    assert (feedback.kind, feedback.channel, feedback.weight, feedback.project) == (
        "competitor_intel", "lost_deal", Decimal("48000.00"), feedback_world["project"])
    shown = text(sales.get(response.location))
    assert "Feedback filed. Pat Product has been told." in shown
    assert "Globex undercuts us by 20%" in shown and "48,000 EUR" in shown and "Not triaged yet" in shown
    assert db.session.scalar(sa.select(Notification.link).where(
        Notification.user_id == people["product"].id, Notification.kind == "feedback_filed")) == feedback.path


def test_a_bad_form_says_what_is_wrong_and_files_nothing(feedback_world, people, login):
    sales = login(people["sales"])
    response = sales.post("/feedback/new", data=form_data(feedback_world, product_ids=[], revenue_at_stake="-5", title=""))
    body = text(response)
    assert response.status_code == 200
    assert "Choose at least one product it is about." in body
    assert "Number must be between 0 and" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 0


def test_who_is_not_a_seller_cannot_file(feedback_world, people, login):
    response = login(people["team"]).get("/feedback/new")
    assert response.status_code == 302 and response.location.endswith("/feedback/mine")


# --- finding -----------------------------------------------------------------------------------

def test_the_list_filters_by_product_region_kind_state_and_text(feedback_world, people, login):
    okta = filed(feedback_world, people, title="Okta SSO")
    price = filed(feedback_world, people, user="sales2", title="Too expensive", kind="pricing",
                  product_ids=(feedback_world["other"].id,))
    decisions.triage(people["product"], okta, "done", "Shipped in 4.2")
    db.session.commit()
    sales = login(people["sales"])

    everything = text(sales.get("/feedback/"))
    assert "Okta SSO" in everything and "Too expensive" in everything  # colleagues' feedback too
    for query, shown, hidden in (
        (f"product={feedback_world['other'].id}", "Too expensive", "Okta SSO"),
        ("kind=pricing", "Too expensive", "Okta SSO"),
        ("state=done", "Okta SSO", "Too expensive"),
        ("q=okta", "Okta SSO", "Too expensive"),
        (f"region={feedback_world['region'].id}&q=expens", "Too expensive", "Okta SSO"),
    ):
        body = text(sales.get(f"/feedback/?{query}"))
        assert shown in body and hidden not in body, query
    body = text(sales.get(f"/feedback/?region={RegionFactory().id}"))
    assert "Nothing matches these filters" in body and price.title not in body


def test_someone_who_neither_sells_nor_manages_products_sees_only_their_own(feedback_world, people, login):
    feedback = filed(feedback_world, people)
    team = login(people["team"])
    assert team.get("/feedback/").location.endswith("/feedback/mine")
    assert "You have not filed any feedback yet." in text(team.get("/feedback/mine"))
    assert team.get(f"/feedback/{feedback.id}").status_code == 404
    assert team.post(f"/feedback/{feedback.id}/triage", data={"event": "done", "answer": "x"}).status_code == 404
    assert team.get("/feedback/triage").status_code == 404
    assert login(people["sales"]).get("/feedback/999999").status_code == 404


def test_who_no_longer_sells_sees_no_colleagues_items_merged_into_theirs(feedback_world, people, login):
    people["team"].sales_rep = True
    original = filed(feedback_world, people, user="team", title="Okta SSO")
    people["team"].sales_rep = False  # sold once, no longer does: sees only what they filed
    again = filed(feedback_world, people, user="sales2", title="Secret Globex deal needs Okta")
    decisions.triage(people["product"], again, "duplicate", "", duplicate_of_id=original.id)
    db.session.commit()

    page = text(login(people["team"]).get(f"/feedback/{original.id}"))

    assert "Secret Globex deal" not in page and f"/feedback/{again.id}" not in page
    told = db.session.scalar(sa.select(Notification).where(Notification.user_id == people["team"].id,
                                                           Notification.kind == "feedback_merged"))
    assert told.body.startswith("Someone filed the same; it is merged into yours")
    assert "Secret Globex deal" in text(login(people["sales"]).get(f"/feedback/{original.id}"))


# --- triage ------------------------------------------------------------------------------------

def test_the_product_manager_triages_on_the_page_and_the_seller_reads_the_answer(feedback_world, people, login):
    feedback = filed(feedback_world, people)
    product = login(people["product"])
    page = text(product.get(f"/feedback/{feedback.id}"))
    assert "Record the decision" in page and 'value="later"' in page

    revisit = clock.today() + timedelta(days=120)
    response = product.post(f"/feedback/{feedback.id}/triage", data={
        "event": "later", "answer": "After the Q4 release.", "revisit_on": revisit.isoformat(),
        "version": str(feedback.version), "milestone_id": "", "project_id": "", "duplicate_of_id": "",
    })
    assert response.status_code == 302
    db.session.refresh(feedback)
    assert (feedback.state, feedback.revisit_on, feedback.answer) == ("later", revisit, "After the Q4 release.")
    assert "Put off until" in text(product.get(response.location))

    mine = text(login(people["sales"]).get("/feedback/mine"))
    assert "My feedback and what became of it" in mine
    assert "After the Q4 release." in mine and "Pat Product" in mine and f"{revisit:%d %b %Y}" in mine
    shown = text(login(people["sales"]).get(f"/feedback/{feedback.id}"))
    assert "Record the decision" not in shown  # a seller reads the history, never triages
    assert "Pat Product</strong> decided" in shown


def test_a_refused_decision_keeps_what_was_typed_and_says_why(feedback_world, people, login):
    feedback = filed(feedback_world, people)
    product = login(people["product"])
    response = product.post(f"/feedback/{feedback.id}/triage", data={
        "event": "decline", "answer": "A long considered answer that must not be lost.", "reason": "",
    })
    body = text(response)
    assert response.status_code == 409
    assert "Say why it is declined." in body and "A long considered answer that must not be lost." in body
    db.session.refresh(feedback)
    assert feedback.state == "new"


def test_a_stale_page_is_refused_with_the_conflict_message(feedback_world, people, login):
    feedback = filed(feedback_world, people)
    old_version = feedback.version
    decisions.triage(people["admin"], feedback, "done", "Shipped")
    db.session.commit()
    response = login(people["product"]).post(f"/feedback/{feedback.id}/triage", data={
        "event": "done", "answer": "Also shipped", "version": str(old_version),
    })
    assert response.status_code == 409 and "changed by someone else" in text(response)


def test_a_product_manager_of_another_product_reads_it_but_cannot_triage(feedback_world, people, login):
    feedback = filed(feedback_world, people)
    other = login(feedback_world["other_pm"])
    assert "Record the decision" not in text(other.get(f"/feedback/{feedback.id}"))
    response = other.post(f"/feedback/{feedback.id}/triage", data={"event": "done", "answer": "Done"},
                          follow_redirects=True)
    assert "triaged by a product manager of one of its products" in text(response)
    db.session.refresh(feedback)
    assert feedback.state == "new"


def test_the_queue_lists_new_first_then_by_weight_with_age(feedback_world, people, login):
    filed(feedback_world, people, title="Light one", revenue_at_stake=Decimal("100"))
    filed(feedback_world, people, title="Heavy one", revenue_at_stake=Decimal("90000"))
    filed(feedback_world, people, title="Not mine", product_ids=(feedback_world["other"].id,))
    page = text(login(people["product"]).get("/feedback/triage"))
    assert "Feedback to triage" in page and "Not mine" not in page
    assert page.index("Heavy one") < page.index("Light one")
    assert "90,000 EUR" in page and "0 days" in page
    assert "Not mine" in text(login(feedback_world["other_pm"]).get("/feedback/triage"))


def test_an_empty_queue_says_so(feedback_world, people, login):
    page = text(login(people["product"]).get("/feedback/triage"))
    assert "Nothing waits for you" in page


def test_a_commitment_page_offers_feedback_traced_to_the_deal(login, people, feedback_world, make_product):
    """From a commitment, the seller passes on what the customer said; the form comes pre-filled with the deal."""
    project = feedback_world["project"]
    commitment = commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
        customer="Acme GmbH", product_id=feedback_world["product"].id, region_id=project.regions[0].id,
        promise="Pro tier for 50 seats", promised_date=project.end_date,
    ))
    db.session.commit()
    page = login(people["sales"]).get(f"/commitments/{commitment.id}").get_data(as_text=True)
    link = f"/feedback/new?project_id={project.id}&amp;commitment_id={commitment.id}"
    assert "Pass on customer feedback" in page and link in page
    form = login(people["sales"]).get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(rf'<option (selected value="{commitment.id}"|value="{commitment.id}" selected)', form)
    assert "Pass on customer feedback" not in login(people["team"]).get(f"/commitments/{commitment.id}").get_data(
        as_text=True)


def test_the_campaign_pickers_offer_ones_own_campaigns_not_every_one_an_admin_sees(people, make_project, app):
    from app.feedback.forms import FeedbackForm

    theirs, linked = make_project(title="Someone else's"), make_project(title="Linked from its page")
    with app.test_request_context():
        offered = {c.label for c in FeedbackForm(people["admin"], project_hint=linked.id).project_id.choices}
        pm_offered = {c.label for c in FeedbackForm(people["pm"]).project_id.choices}
    assert "Linked from its page" in offered and "Someone else's" not in offered  # the admin is on neither
    assert {"Someone else's", "Linked from its page"} <= pm_offered  # the project manager is on both
    assert theirs.id != linked.id


# --- related records: named only if the reader could open them ---------------------------------

def test_the_pages_name_no_campaign_or_milestone_the_reader_is_not_on(feedback_world, people, login, make_project):
    item = planned_in_a_campaign_of_others(feedback_world, people, make_project)
    due = f"{item.milestone.due_date:%d %b %Y}"
    seller, product = login(people["sales"]), login(people["product"])

    pages = [seller.get(f"/feedback/{item.id}"), seller.get("/feedback/mine"), seller.get("/"),
             product.get(f"/feedback/{item.id}"), product.get("/feedback/"),
             # The decision's audit line joins the history of the campaign it was heard on.
             login(people["team"]).get(f"/campaigns/{feedback_world['project'].id}/history")]
    for response in pages:
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert SECRET_CAMPAIGN not in page and SECRET_MILESTONE not in page and due not in page, response.request.path
    assert "Delivered by a campaign you are not on" in words(pages[0]) and "a campaign you are not on" in words(pages[1])

    page = words(login(feedback_world["other_pm"]).get(f"/feedback/{item.id}"))  # on campaign 7: named and linked
    assert f"Delivered by {SECRET_MILESTONE} · {SECRET_CAMPAIGN} · due {due}" in page


def test_a_duplicate_names_its_original_only_to_who_may_open_it(feedback_world, people, login):
    people["team"].sales_rep = True
    again = filed(feedback_world, people, user="team", title="Okta SSO")
    people["team"].sales_rep = False  # sold once, no longer does: sees only what they filed
    original = filed(feedback_world, people, user="sales2", title="Secret Globex deal needs Okta")
    decisions.triage(people["product"], again, "duplicate", "", duplicate_of_id=original.id)
    db.session.commit()

    for url in (f"/feedback/{again.id}", "/feedback/mine"):
        page = words(login(people["team"]).get(url))
        assert "Secret Globex deal" not in page and f"#{original.id}" not in page, url
        assert "Same as an item filed earlier, which carries its weight now." in page
    told = db.session.scalar(sa.select(Notification).where(Notification.user_id == people["team"].id,
                                                           Notification.kind == "feedback_answered"))
    assert "Secret Globex deal" not in told.subject + told.body
    assert told.body == "This repeats an item filed earlier, which is followed up instead."
    assert f"Same as #{original.id} Secret Globex deal needs Okta" in words(login(people["sales"]).get(f"/feedback/{again.id}"))
