"""The import through its services: upload, preview, the all-or-nothing import, re-import, changed deals."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.customers.models import Customer
from app.extensions import db
from app.imports import services, writing
from app.imports.models import ImportRowError, ImportRun
from tests.imports import fixture
from tests.imports.helpers import preview, run_import, upload
from tests.queries import counting
from workflows.commitment import CommitmentState
from workflows.imports import ImportState


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _commitments() -> list[Commitment]:
    return list(db.session.scalars(sa.select(Commitment).order_by(Commitment.crm_deal_id)))


# --- upload and preview --------------------------------------------------------------------------

def test_an_upload_is_read_and_its_columns_recognised(people, import_world):
    run = upload(people["sales"], import_world["project"], "salesforce_opportunities.csv", )

    assert (run.state, run.source, run.row_count, run.encoding, run.delimiter) == (
        ImportState.UPLOADED, "salesforce", 36, "utf-8", ",")
    assert run.date_format == "mdy" and run.mapping["deal_id"] == "Opportunity ID"
    assert run.content == fixture("salesforce_opportunities.csv")


def test_a_file_that_cannot_be_read_is_refused_with_nothing_stored(people, import_world):
    with pytest.raises(InvalidInput) as refused:
        services.upload(people["sales"], import_world["project"], "deck.pdf", b"%PDF-1.7\x00\x00")

    assert "binary" in refused.value.fields["file"][0]
    db.session.rollback()
    assert _count(ImportRun) == 0


def test_a_file_over_the_limit_is_refused(people, import_world, configure):
    configure(MAX_UPLOAD_BYTES=256 * 1024)

    with pytest.raises(InvalidInput) as refused:
        services.upload(people["sales"], import_world["project"], "big.csv", b"a,b\n" + b"1,2\n" * 70_000)

    assert refused.value.fields == {"file": ["At most 0.25 MB."]}


@pytest.mark.parametrize("who", ["pm", "admin"])
def test_the_campaigns_project_manager_and_admins_import_too(people, import_world, who):
    assert upload(people[who], import_world["project"], "generic.csv").state == ImportState.UPLOADED


@pytest.mark.parametrize("who", ["product", "team", "sales2"])
def test_nobody_else_imports(people, import_world, who):
    with pytest.raises(NotAllowed):
        services.upload(people[who], import_world["project"], "generic.csv", fixture("generic.csv"))


def test_the_preview_names_every_error_and_refuses_the_import(people, import_world):
    run = preview(people["sales"], upload(people["sales"], import_world["project"], "salesforce_opportunities_with_errors.csv"))

    errors = db.session.scalars(sa.select(ImportRowError).order_by(ImportRowError.row)).all()
    assert [(e.row, e.column) for e in errors] == [(4, "Close Date"), (10, "Product Name"), (16, "Region"),
                                                   (23, "Opportunity Name")]
    assert errors[0].message == "not a date (expected MM/DD/YYYY, the format chosen for this file)"
    assert (run.state, run.error_rows, run.skipped_rows, run.created, run.customers_created) == (
        ImportState.PREVIEWED, 4, 2, 30, 12)
    with pytest.raises(Conflict, match="4 rows have errors"):
        services.start(people["sales"], run)
    db.session.rollback()
    assert _count(Commitment) == 0 and _count(Customer) == 0


def test_a_mapping_without_a_required_field_is_refused(people, import_world):
    run = upload(people["sales"], import_world["project"], "generic.csv")

    with pytest.raises(InvalidInput) as refused:
        services.set_mapping(people["sales"], run, services.MappingInput(
            {**run.mapping, "product": "", "region": "no such column"}, "iso", "."))

    assert refused.value.fields == {"product": ["Choose the column that holds this field."],
                                    "region": ["The file has no column “no such column”."]}


def test_the_import_starts_only_from_a_preview(people, import_world):
    run = upload(people["sales"], import_world["project"], "generic.csv")

    with pytest.raises(Conflict, match="Preview the rows first"):
        services.start(people["sales"], run)


# --- the import ----------------------------------------------------------------------------------

def test_a_salesforce_export_becomes_customers_and_draft_commitments(people, import_world):
    run = run_import(people["sales"], import_world["project"], "salesforce_opportunities.csv")

    assert (run.state, run.created, run.updated, run.unchanged, run.customers_created, run.skipped_rows) == (
        ImportState.DONE, 34, 0, 0, 12, 2)
    assert run.content is None  # the file goes once it is imported
    made = _commitments()
    assert len(made) == 34 and {c.state for c in made} == {CommitmentState.DRAFT}
    first = made[0]
    assert (first.crm_source, first.crm_deal_id, first.customer.name, first.customer.external_id) == (
        "salesforce", "0065g00000Opp000", "Acme Corporation", "0015g00000Acme01")
    assert (first.promise, first.product.name, first.region.name, first.promised_date.isoformat()) == (
        "Acme – Upgrade to the Pro tier with SSO", "Northwind Pro", "North America", "2027-01-01")
    assert (first.quantity, first.unit_price, first.created_by) == (10, Decimal("80.00"), people["sales"])
    assert made[1].created_by == people["sales2"]  # Sue Second owns the opportunity
    assert {c.project_id for c in made} == {import_world["project"].id}


@pytest.mark.parametrize(("name", "created", "customers", "skipped"), [
    ("hubspot_deals.csv", 29, 12, 1),
    ("generic.csv", 24, 12, 0),
])
def test_hubspot_and_generic_files_import(people, import_world, name, created, customers, skipped):
    run = run_import(people["sales"], import_world["project"], name)

    assert (run.state, run.created, run.customers_created, run.skipped_rows) == (
        ImportState.DONE, created, customers, skipped)


def test_a_semicolon_windows_1252_file_with_decimal_commas_imports(people, import_world):
    data = ("deal_id;deal_name;customer_name;product;region;promised_date;unit_price;discount_percent\n"
            "D-1;Déploiement phase 1;Café Müller;Northwind Pro;DACH;31.03.2027;1.234,50;7,5\n").encode("cp1252")

    run = run_import(people["sales"], import_world["project"], data)

    assert (run.encoding, run.delimiter, run.date_format, run.decimal_mark, run.state) == (
        "cp1252", ";", "dmy", ",", ImportState.DONE)
    (made,) = _commitments()
    assert (made.promise, made.customer.name, made.unit_price, made.discount_percent) == (
        "Déploiement phase 1", "Café Müller", Decimal("1234.50"), Decimal("7.50"))


def test_importing_the_same_file_again_changes_nothing(people, import_world):
    run_import(people["sales"], import_world["project"], "salesforce_opportunities.csv")
    before = (_count(Commitment), _count(Customer), _count(AuditEvent))
    versions = {c.id: c.version for c in _commitments()}

    again = preview(people["sales"], upload(people["sales"], import_world["project"], "salesforce_opportunities.csv"))
    assert (again.created, again.updated, again.unchanged, again.customers_created) == (0, 0, 34, 0)
    services.start(people["sales"], again)
    db.session.commit()

    assert (again.state, again.created, again.updated, again.unchanged, again.customers_created) == (
        ImportState.DONE, 0, 0, 34, 0)
    # Only the second run's own upload and outcome are audited; no commitment or customer was touched.
    assert (_count(Commitment), _count(Customer), _count(AuditEvent)) == (before[0], before[1], before[2] + 2)
    assert {c.id: c.version for c in _commitments()} == versions


def test_a_changed_deal_updates_its_draft_and_a_submitted_one_is_a_row_error(people, import_world):
    run_import(people["sales"], import_world["project"], "generic.csv")
    drafts = {c.crm_deal_id: c for c in _commitments()}
    commitments.fire(people["sales"], drafts["DEAL-0002"], "submit", justification="A pilot product agreed to")
    db.session.commit()
    text = fixture("generic.csv").decode()
    changed = text.replace("DEAL-0001,Acme – Upgrade to the Pro tier with SSO", "DEAL-0001,Acme – Pro tier for 50 seats")
    changed = changed.replace("DEAL-0002,Globex – Seat expansion for the support team",
                              "DEAL-0002,Globex – a bigger seat expansion")

    run = preview(people["sales"], upload(people["sales"], import_world["project"], changed.encode()))

    assert (run.updated, run.unchanged, run.error_rows) == (1, 22, 1)
    (error,) = db.session.scalars(sa.select(ImportRowError)).all()
    assert (error.row, error.column) == (3, "deal_id") and "waiting for countersignature" in error.message
    with pytest.raises(Conflict):
        services.start(people["sales"], run)
    db.session.rollback()

    only_first = changed.replace("DEAL-0002,Globex – a bigger seat expansion",
                                 "DEAL-0002,Globex – Seat expansion for the support team")
    done = run_import(people["sales"], import_world["project"], only_first.encode())
    assert (done.state, done.updated, done.unchanged) == (ImportState.DONE, 1, 23)
    db.session.refresh(drafts["DEAL-0001"])
    assert drafts["DEAL-0001"].promise == "Acme – Pro tier for 50 seats"


def test_an_error_midway_writes_nothing_and_the_run_says_why(people, import_world, monkeypatch):
    run = preview(people["sales"], upload(people["sales"], import_world["project"], "salesforce_opportunities.csv"))
    real = writing.customers.upsert_external
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 8:  # seven customers and their first deals are written by now
            raise InvalidInput("The customer's CRM id is refused.", {"external_id": ["Too strange."]})
        return real(*args, **kwargs)

    monkeypatch.setattr(writing.customers, "upsert_external", failing)
    services.start(people["sales"], run)
    db.session.commit()

    db.session.expire_all()
    failed = db.session.get(ImportRun, run.id)
    assert failed.state == ImportState.FAILED
    assert failed.message == "The customer's CRM id is refused. Too strange."
    assert _count(Commitment) == 0 and _count(Customer) == 0
    assert failed.content is not None  # kept: the run can be previewed and started again
    monkeypatch.setattr(writing.customers, "upsert_external", real)
    services.preview(people["sales"], failed)
    services.start(people["sales"], failed)
    db.session.commit()
    assert failed.state == ImportState.DONE and _count(Commitment) == 34


def test_an_unexpected_error_midway_writes_nothing(people, import_world, monkeypatch):
    run = preview(people["sales"], upload(people["sales"], import_world["project"], "generic.csv"))
    real, calls = writing._terms, []

    def failing(*args):
        calls.append(args)
        if len(calls) == 10:  # nine commitments are written (and flushed) by now
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(writing, "_terms", failing)

    services.start(people["sales"], run)
    db.session.commit()

    db.session.expire_all()
    failed = db.session.get(ImportRun, run.id)
    assert failed.state == ImportState.FAILED and "RuntimeError" in failed.message
    assert _count(Commitment) == 0 and _count(Customer) == 0


def test_a_catalog_changed_since_the_preview_fails_the_import_naming_the_row(people, import_world):
    run = preview(people["sales"], upload(people["sales"], import_world["project"], "generic.csv"))
    import_world["regions"]["DACH"].active = False
    db.session.commit()

    services.start(people["sales"], run)
    db.session.commit()

    assert run.state == ImportState.FAILED and "Row 4, region" in run.message
    assert _count(Commitment) == 0


def test_the_preview_costs_the_same_queries_for_ten_times_the_rows(people, import_world):
    header = "deal_id,deal_name,customer_name,customer_id,product,region,promised_date\n"

    def queries(count: int) -> int:
        body = "".join(f"D-{i},Deal {i},Customer {i % 40},C-{i % 40},Northwind Pro,DACH,2027-05-01\n"
                       for i in range(count))
        run = upload(people["sales"], import_world["project"], (header + body).encode())
        services.set_mapping(people["sales"], run, services.MappingInput(dict(run.mapping), "iso", "."))
        with counting() as statements:
            services.preview(people["sales"], run)
        db.session.rollback()
        return len(statements)

    assert queries(40) == queries(400)


def test_the_clean_up_deletes_old_files_and_fails_stalled_imports(people, import_world, clock):
    old = upload(people["sales"], import_world["project"], "generic.csv")
    stalled = preview(people["sales"], upload(people["sales"], import_world["project"], "generic.csv"))
    stalled.state, stalled.started_at = ImportState.IMPORTING, clock.now()
    db.session.commit()
    clock.advance(days=services.FILE_DAYS, hours=1)

    assert services.clean_up() == "2 import files deleted, 1 stalled imports failed"

    db.session.expire_all()
    assert db.session.get(ImportRun, old.id).content is None
    assert db.session.get(ImportRun, stalled.id).state == ImportState.FAILED
