"""Customer pages: the list, a customer's page with what the reader may see, editing, merging, the possible
duplicates, the suggestions; who gets 404; and queries that stay the same as a customer's records grow."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.commitments import services as commitments
from app.core import clock
from app.customers.models import Customer
from app.extensions import db
from app.feedback import services as feedback
from tests.factories import CustomerFactory, RegionFactory, UserFactory
from tests.queries import counting


def text(response) -> str:
    return response.get_data(as_text=True)


def _commit(people, project, product, customer="Acme Retail", days=30, seller="sales"):
    made = commitments.create_commitment(people[seller], project, commitments.CommitmentInput(
        customer=customer, product_id=product.id, region_id=project.regions[0].id, promise=f"SSO {days}",
        promised_date=clock.today() + timedelta(days=days)))
    db.session.commit()
    return made


def test_the_list_searches_filters_counts_and_is_in_the_navigation(login, people, make_project, make_product):
    project, product = make_project(), make_product()
    north = RegionFactory(name="Nordics")
    acme = _commit(people, project, product).customer
    acme.region, acme.owner, acme.domain = north, people["sales"], "acme.example"
    CustomerFactory(name="Globex", crm_source="salesforce", external_id="0015G")
    db.session.commit()
    page = login(people["sales"]).get("/customers")
    html = text(page)
    assert page.status_code == 200 and 'href="/customers"' in html
    assert "Acme Retail" in html and "Globex" in html and "1 open" in html and "Salesforce" in html
    sales = login(people["sales"])
    assert "Globex" not in text(sales.get("/customers?q=acme.example"))
    assert "Acme Retail" not in text(sales.get("/customers?q=0015G"))
    assert "Globex" not in text(sales.get(f"/customers?region_id={north.id}"))
    assert "Globex" not in text(sales.get(f"/customers?owner_id={people['sales'].id}"))
    bad = sales.get("/customers?sort=size&region_id=x")
    assert bad.status_code == 400 and "Sort by" in text(bad) and "Region" in text(bad)


def test_a_team_member_who_does_not_sell_finds_no_customer(login, people):
    customer = CustomerFactory()
    db.session.commit()
    team = login(people["team"])
    assert 'href="/customers"' not in text(team.get("/"))
    for url in ("/customers", f"/customers/{customer.id}", f"/customers/{customer.id}/edit",
                "/customers/suggest?q=cu", "/customers/new", f"/customers/{customer.id}/merge", "/customers/duplicates"):
        assert team.get(url).status_code == 404, url
    assert login(people["sales"]).get("/customers/999999").status_code == 404


def test_the_page_shows_only_what_the_reader_may_see(login, people, make_project, make_product):
    product = make_product()
    mine = make_project(title="Sam's campaign")
    theirs = make_project(title="Sue's campaign", owner=people["sales2"], product_manager_ids=[], member_ids=[])
    visible = _commit(people, mine, product, days=20)
    hidden = _commit(people, theirs, product, days=25, seller="sales2")
    filed = feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="feature_request", title="Dark mode please", region_id=mine.regions[0].id, product_ids=[product.id],
        customer="acme retail inc"))
    db.session.commit()
    customer = visible.customer
    assert hidden.customer is customer and filed.customer is customer
    html = text(login(people["sales"]).get(f"/customers/{customer.id}"))
    assert "SSO 20" in html and "SSO 25" not in html and "Sue&#39;s campaign" not in html
    assert "Sam&#39;s campaign" in html and "Dark mode please" in html
    assert f'href="/commitments?customer={customer.id}"' in html
    assert "Coming up" in html
    # The product manager keeps the product: both promises, a campaign off their list as a title only.
    pm_html = text(login(people["product"]).get(f"/customers/{customer.id}"))
    assert "SSO 20" in pm_html and "SSO 25" in pm_html
    assert f'href="/campaigns/{theirs.id}"' not in pm_html
    # "See all" is the commitments list filtered by the record.
    listed = text(login(people["sales"]).get(f"/commitments?customer={customer.id}"))
    assert "SSO 20" in listed and "Acme Retail" in listed


def test_editing_is_for_sales_managers_admins_and_the_owner(login, people):
    rep = UserFactory(name="Rita Rep", sales_rep=True)
    customer = CustomerFactory(name="Initech", owner=rep)
    other = CustomerFactory(name="Umbrella")
    db.session.commit()
    url = f"/customers/{customer.id}/edit"
    owner = login(rep)
    assert owner.get(url).status_code == 200
    saved = owner.post(url, data={"name": "Initech Ltd", "domain": "https://initech.example/x", "notes": "",
                                  "region_id": "", "owner_id": str(rep.id), "version": "1"})
    assert saved.status_code == 302
    db.session.refresh(customer)
    assert (customer.name, customer.domain, customer.version) == ("Initech Ltd", "initech.example", 2)
    stale = owner.post(url, data={"name": "Old", "version": "1", "owner_id": str(rep.id)})
    assert "changed by someone else" in text(stale)
    refused = owner.get(f"/customers/{other.id}/edit")
    assert refused.status_code == 302 and refused.location.endswith(f"/customers/{other.id}")
    bad = login(people["sales"]).post(url, data={"name": "", "domain": "nope", "version": "2"})
    assert bad.status_code == 200 and "Enter a website" in text(bad)


def test_add_a_customer(login, people):
    sales = login(people["sales"])
    created = sales.post("/customers/new", data={"name": "Hooli", "domain": "hooli.example"})
    assert created.status_code == 302
    assert db.session.scalar(sa.select(Customer.name)) == "Hooli"
    assert login(people["pm"]).get("/customers/new").status_code == 302  # planners read, sales record


def test_merge_previews_then_moves(login, people, make_project, make_product):
    project, product = make_project(), make_product()
    survivor = _commit(people, project, product, customer="Globex").customer
    duplicate = _commit(people, project, product, customer="Globex UK").customer
    duplicate.crm_source, duplicate.external_id = "hubspot", "H-9"
    db.session.commit()
    duplicate_id = duplicate.id
    sales = login(people["sales"])
    picked = text(sales.get(f"/customers/{survivor.id}/merge?q=globex"))
    assert f"duplicate={duplicate_id}" in picked and f"duplicate={survivor.id}" not in picked
    preview = text(sales.get(f"/customers/{survivor.id}/merge?duplicate={duplicate_id}"))
    assert "1</strong> commitments move" in preview and "H-9" in preview
    assert f'/customers/{duplicate_id}/merge?duplicate={survivor.id}' in preview  # keep the other instead
    assert sales.get(f"/customers/{survivor.id}/merge?duplicate={survivor.id}").status_code == 400
    done = sales.post(f"/customers/{survivor.id}/merge", data={"duplicate_id": str(duplicate_id)})
    assert done.status_code == 302 and done.location.endswith(f"/customers/{survivor.id}")
    assert db.session.get(Customer, duplicate_id) is None
    html = text(sales.get(f"/customers/{survivor.id}"))
    assert "Merged Globex UK into Globex" in html and "H-9" in html
    # Planners read customers but do not merge them.
    assert login(people["pm"]).get(f"/customers/{survivor.id}/merge").status_code == 404
    assert login(people["pm"]).post(f"/customers/{survivor.id}/merge",
                                    data={"duplicate_id": str(survivor.id)}).status_code == 404


def test_possible_duplicates_page(login, people):
    CustomerFactory(name="Globex")
    CustomerFactory(name="Globex UK")
    CustomerFactory(name="Initech")
    db.session.commit()
    html = text(login(people["admin"]).get("/customers/duplicates"))
    assert "Globex UK" in html and "Initech" not in html and "Merge…" in html
    assert login(people["pm"]).get("/customers/duplicates").status_code == 404


def test_suggestions_are_bounded_json(login, people):
    for n in range(25):
        CustomerFactory(name=f"Acme {n}")
    db.session.commit()
    found = login(people["sales"]).get("/customers/suggest?q=acm").get_json()
    assert len(found) == 20 and set(found[0]) == {"id", "name", "domain"}
    assert login(people["sales"]).get("/customers/suggest?q=").get_json() == []


def test_the_commitment_form_offers_suggestions_and_says_how_a_name_resolves(login, people, make_project,
                                                                             make_product):
    project = make_project()
    make_product()
    db.session.commit()
    html = text(login(people["sales"]).get(f"/campaigns/{project.id}/commitments/new"))
    assert 'list="customer-suggestions"' in html and 'data-customer-suggest="/customers/suggest"' in html
    assert "a new customer is recorded on save" in html


def test_a_customers_page_reads_the_same_queries_for_more_commitments_and_feedback(login, people, make_project,
                                                                                    make_product):
    project, product = make_project(), make_product()
    customer = _commit(people, project, product).customer
    client = login(people["sales"])

    def grow(count):
        for n in range(count):
            _commit(people, project, product, days=10 + n)
            feedback.file_feedback(people["sales"], feedback.FeedbackInput(
                kind="problem", title=f"Problem {n}", region_id=project.regions[0].id, product_ids=[product.id],
                customer="Acme Retail"))
        db.session.commit()

    def queries(url):
        client.get(url)
        db.session.expire_all()
        with counting() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    grow(2)
    before = [queries(f"/customers/{customer.id}"), queries("/customers")]
    grow(25)
    for n in range(60):
        CustomerFactory(name=f"Other {n}")
    db.session.commit()
    assert [queries(f"/customers/{customer.id}"), queries("/customers")] == before
    assert re.search(r"10 of 2[78]", text(client.get(f"/customers/{customer.id}")))
