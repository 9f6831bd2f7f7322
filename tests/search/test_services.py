"""The global search on both engines: every kind found, prefixes, hostile queries, access filtered in
SQL (nothing leaks, not even in counts), the index current in the change's own transaction, paging
and constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.briefings.models import Briefing
from app.commitments.models import Commitment
from app.core import clock
from app.core.pagination import PageRequest
from app.customers.models import Customer
from app.extensions import db
from app.feedback.models import Feedback
from app.search import services
from app.search.engines import fts5_query, tsquery, words
from tests.factories import CustomerFactory, RegionFactory, UserFactory
from tests.queries import counting


@pytest.fixture
def world(people, make_product, make_project):
    """One record of every kind, each naming "Globex" somewhere, and a campaign of its own for the outsider test."""
    product = make_product()
    region = RegionFactory(name="Nordics")
    project = make_project(title="Globex rollout", goal_statement="Move Globex to the new tier")
    other = make_project(title="Initech renewal", member_ids=[], owner=people["sales2"])
    globex = CustomerFactory(name="Globex Corporation", domain="globex.example", external_id="SF-00042", crm_source="salesforce")
    initech = CustomerFactory(name="Initech", domain="initech.example")
    db.session.add_all([
        Commitment(project=project, customer=globex, product=product, region_id=region.id,
                   promise="Single sign-on for the Globex plant", promised_date=clock.today() + timedelta(days=30),
                   created_by=people["sales"], crm_deal_id="DEAL-77"),
        Commitment(project=other, customer=initech, product=product, region_id=region.id,
                   promise="Secret Globex-sized discount", promised_date=clock.today() + timedelta(days=30),
                   created_by=people["sales2"]),
        Feedback(kind="feature_request", title="Globex wants audit exports", details="Asked twice in the quarterly review",
                 region_id=region.id, submitted_by=people["sales"], source_name="Hank Scorpio"),
        Briefing(title="Nordic kick-off", region_id=region.id, sales_team="Globex account team",
                 held_on=clock.today(), duration_minutes=60, presenter=people["product"],
                 created_by=people["product"], key_points="What Globex asked for"),
    ])
    db.session.commit()
    return {"project": project, "other": other, "globex": globex, "product": product, "region": region}


def kinds_found(results):
    return {group.kind: [hit.title_text for hit in group.hits] for group in results.groups if group.hits}


def test_every_kind_is_found_by_a_prefix_of_its_word(world, people):
    results = services.search(people["admin"], "glob")
    found = kinds_found(results)
    assert found["campaigns"] == ["Globex rollout"]
    assert found["customers"] == ["Globex Corporation"]
    assert sorted(found["commitments"]) == ["Globex Corporation: Northwind Pro", "Initech: Northwind Pro"]
    assert found["feedback"] == ["Globex wants audit exports"]
    assert found["briefings"] == ["Nordic kick-off"]
    campaign = results.groups[0].hits[0]
    assert campaign.title[0] == ("Globex", True) and campaign.path == f"/campaigns/{world['project'].id}"
    assert ("Globex", True) in campaign.snippet


@pytest.mark.parametrize(("query", "kind", "title"), [
    ("globex.example", "customers", "Globex Corporation"),  # the domain
    ("SF-00042", "customers", "Globex Corporation"),  # the CRM id
    ("initech", "customers", "Initech"),
    ("deal-77", "commitments", "Globex Corporation: Northwind Pro"),
    ("scorpio", "feedback", "Globex wants audit exports"),
    ("quarterly rev", "feedback", "Globex wants audit exports"),  # every word, the last a prefix
    ("account team", "briefings", "Nordic kick-off"),
])
def test_customers_by_name_domain_and_crm_id_and_the_other_fields(world, people, query, kind, title):
    found = kinds_found(services.search(people["admin"], query, (kind,)))
    assert found[kind] == [title]


def test_all_words_must_match(world, people):
    assert kinds_found(services.search(people["admin"], "globex quarterly", ("campaigns", "feedback"))) == {
        "feedback": ["Globex wants audit exports"]}


@pytest.mark.parametrize("query", [
    '"', '"globex', 'globex"', "glob*", "NEAR(globex rollout)", "globex OR", "AND", "-globex", "globex:*",
    "'globex'", "!globex & (rollout", "\\", "col:globex", "^globex", "{title}: globex", "globex\u200b",
    "Globex 🚀", "société", "東京", "x" * 400, "a b c d e f g h i j k l globex",
])
def test_operators_quotes_and_unicode_never_error(world, people, query):
    results = services.search(people["admin"], query)
    assert results.query == query
    for group in results.groups:
        assert group.total is not None and group.total >= len(group.hits)


def test_operators_are_text_not_syntax(world, people):
    assert kinds_found(services.search(people["admin"], 'globex" OR "initech', ("customers",))) == {}
    assert kinds_found(services.search(people["admin"], "(globex)", ("customers",))) == {
        "customers": ["Globex Corporation"]}


def test_a_query_too_short_is_not_searched(world, people):
    for query in ("", " ", "g", "*", '""', "-", "  ?  "):
        with counting() as statements:
            results = services.search(people["admin"], query)
        assert not results.searched and results.groups == [] and statements == []


def test_unicode_words_and_accents(world, people):
    CustomerFactory(name="Société Générale", domain="")
    CustomerFactory(name="東京 Trading", domain="")
    db.session.commit()
    assert kinds_found(services.search(people["admin"], "Société", ("customers",)))["customers"] == ["Société Générale"]
    assert kinds_found(services.search(people["admin"], "géné", ("customers",)))["customers"] == ["Société Générale"]
    assert kinds_found(services.search(people["admin"], "東京", ("customers",)))["customers"] == ["東京 Trading"]


def test_another_campaigns_commitment_is_not_found_nor_counted(world, people):
    results = services.search(people["team"], "globex")  # a member of the Globex campaign only
    commitments = next(group for group in results.groups if group.kind == "commitments")
    assert [hit.title_text for hit in commitments.hits] == ["Globex Corporation: Northwind Pro"]
    assert commitments.total == 1
    assert kinds_found(services.search(people["team"], "secret")) == {}
    together = services.search(people["team"], "globex", services.KINDS, PageRequest(limit=50))
    assert "Initech: Northwind Pro" not in [hit.title_text for hit in together.groups[0].hits]


def test_each_feature_rule_decides(world, people):
    outsider = people["outsider"]  # a team member of no campaign, who does not sell
    found = kinds_found(services.search(outsider, "globex"))
    assert set(found) == {"briefings"}  # everyone reads briefings; customers and others' feedback are not theirs
    assert [g.total for g in services.search(outsider, "globex").groups if g.kind != "briefings"] == [0, 0, 0, 0]
    seller = UserFactory(role=people["sales"].role)
    db.session.commit()
    assert set(kinds_found(services.search(seller, "globex"))) == {"customers", "feedback", "briefings"}


def test_the_index_follows_create_rename_and_delete_in_the_same_transaction(world, people):
    customer = Customer(name="Umbrella Holdings", name_key="umbrella holdings", domain="")
    db.session.add(customer)
    db.session.flush()  # not committed: the search reads the transaction's own index
    assert kinds_found(services.search(people["admin"], "umbrel", ("customers",))) == {
        "customers": ["Umbrella Holdings"]}
    customer.name = "Vought International"
    db.session.flush()
    assert kinds_found(services.search(people["admin"], "umbrel", ("customers",))) == {}
    assert kinds_found(services.search(people["admin"], "vought", ("customers",))) == {
        "customers": ["Vought International"]}
    db.session.rollback()  # the change and its index entry go together
    assert kinds_found(services.search(people["admin"], "vought", ("customers",))) == {}
    db.session.execute(sa.update(Customer).where(Customer.name == "Initech").values(name="Initrode"))  # bulk
    assert kinds_found(services.search(people["admin"], "initrode", ("customers",))) == {"customers": ["Initrode"]}
    db.session.delete(db.session.scalar(sa.select(Commitment).where(Commitment.customer_id == world["globex"].id)))
    db.session.flush()
    titles = kinds_found(services.search(people["admin"], "plant", ("commitments",)))
    assert titles == {}


def test_a_bulk_delete_drops_its_rows_from_the_index(world, people):
    db.session.execute(sa.delete(Commitment).where(Commitment.project_id == world["project"].id))
    assert kinds_found(services.search(people["admin"], "plant", ("commitments",))) == {}


def test_one_kind_pages_by_cursor_and_all_kinds_page_together(world, people):
    for n in range(7):
        CustomerFactory(name=f"Globex Branch {n}", domain="")
    db.session.commit()
    first = services.search(people["admin"], "globex", ("customers",), PageRequest(limit=5))
    group = first.groups[0]
    assert len(group.hits) == 5 and group.next_cursor
    second = services.search(people["admin"], "globex", ("customers",), PageRequest(limit=5, cursor=group.next_cursor))
    assert len(second.groups[0].hits) == 3 and second.groups[0].next_cursor is None
    assert not {h.id for h in group.hits} & {h.id for h in second.groups[0].hits}
    seen, cursor = [], None
    while True:
        page = services.search(people["admin"], "globex", services.KINDS, PageRequest(limit=4, cursor=cursor)).groups[0]
        seen += [(hit.kind, hit.id) for hit in page.hits]
        if not (cursor := page.next_cursor):
            break
    overview = services.search(people["admin"], "globex")
    assert len(seen) == len(set(seen)) == sum(g.total for g in overview.groups) == 13


def test_queries_stay_constant_as_matches_grow(world, people, make_project):
    def statements_for(asked):
        db.session.refresh(people["team"])  # a commit expired the reader: loading it again is not the search's
        with counting() as statements:
            services.search(people["team"], "globex", services.KINDS if asked != "one" else ("commitments",),
                            None if asked == "overview" else PageRequest(limit=20))
        return len(statements)

    def grow(count, start):
        for n in range(start, start + count):
            customer = CustomerFactory(name=f"Globex Unit {n}", domain="")
            db.session.add(Commitment(project=world["project"], customer=customer, product=world["product"],
                                      region_id=world["region"].id, promise=f"Globex promise {n}",
                                      promised_date=clock.today(), created_by=people["sales"]))
            db.session.add(Feedback(kind="feature_request", title=f"Globex asks {n}", region_id=world["region"].id,
                                    submitted_by=people["team"]))
        db.session.commit()

    grow(1, 0)  # the team member's own feedback: every kind has a match
    before = {asked: statements_for(asked) for asked in ("overview", "one", "together")}
    grow(12, 1)
    after = {asked: statements_for(asked) for asked in before}
    assert (after["overview"], after["one"]) == (before["overview"], before["one"])
    # A page across kinds reads the kinds on it: at most one query each, whatever the data.
    assert max(before["together"], after["together"]) <= 1 + len(services.KINDS)
    # A query a kind (count included); a page across kinds: the union, then each kind's records.
    assert (before["overview"], before["one"]) == (len(services.KINDS), 1)


def test_the_engine_queries_quote_every_word():
    assert words('NEAR("glob" OR x*)') == ["NEAR", "glob", "OR", "x"]
    assert fts5_query(["NEAR", "glob"]) == '"NEAR" "glob"*'
    assert tsquery(["o", "brien"]) == "'o' & 'brien':*"
    assert words("a") == [] and words("ab") == ["ab"]


@pytest.mark.parametrize("kind", services.KINDS)
def test_each_search_uses_its_index(app, kind):
    """PostgreSQL: the condition repeats the indexed expression word for word, so the GIN index serves it;
    SQLite: the condition is a lookup in the kind's FTS5 table."""
    from app.search.engines import DOCUMENTS, matches

    document = DOCUMENTS[kind]
    model = services._MODELS[kind]
    query = sa.select(model.id).where(matches(db.engine.dialect.name, document, model.id, ["glob"]))
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
            assert document.index_name in " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
        else:
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "VIRTUAL TABLE INDEX" in plan and document.fts_table in plan
