"""The import's pages: upload, mapping, preview with its errors, import, progress JSON; who may open them."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.commitments.models import Commitment
from app.extensions import db
from app.imports import services
from app.imports.models import ImportRun
from bench.crm_import import generate
from tests.imports import fixture
from tests.imports.helpers import preview, upload
from tests.queries import counting
from workflows.imports import ImportState


def _post_file(client, project, data: bytes, name: str = "opportunities.csv"):
    return client.post(f"/campaigns/{project.id}/imports/", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_map_preview_and_import_through_the_pages(login, people, import_world):
    client, project = login(people["sales"]), import_world["project"]
    assert "Import deals" in client.get(f"/campaigns/{project.id}").get_data(as_text=True)

    uploaded = _post_file(client, project, fixture("salesforce_opportunities.csv"))
    run = db.session.scalar(sa.select(ImportRun))
    assert uploaded.status_code == 302 and uploaded.location.endswith(f"/imports/{run.id}/mapping")

    page = " ".join(client.get(uploaded.location).get_data(as_text=True).split())
    assert "36 rows, read as Salesforce opportunities (UTF-8, comma-separated)" in page
    assert '<option selected value="Opportunity ID">' in page and '<option selected value="mdy">' in page

    form = {name: run.mapping[name] for name in run.mapping} | {"date_format": "mdy", "decimal_mark": "."}
    mapped = client.post(uploaded.location, data=form)
    assert mapped.status_code == 302 and mapped.location.endswith(f"/imports/{run.id}")
    preview = client.get(mapped.location).get_data(as_text=True)
    assert "Would create" in preview and "Import 34 deals" in preview

    started = client.post(f"/campaigns/{project.id}/imports/{run.id}/start", data={})
    assert started.status_code == 302
    done = client.get(started.location).get_data(as_text=True)
    assert "Commitments created" in done and ">34<" in done
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 34
    status = client.get(f"/campaigns/{project.id}/imports/{run.id}/status.json").get_json()
    assert (status["state"], status["finished"], status["rows_done"], status["created"]) == ("done", True, 36, 34)


def test_the_preview_lists_each_error_a_page_at_a_time(login, people, import_world):
    client, project = login(people["sales"]), import_world["project"]
    run = upload(people["sales"], project, "salesforce_opportunities_with_errors.csv")
    client.post(f"/campaigns/{project.id}/imports/{run.id}/mapping",
                data={**run.mapping, "date_format": "mdy", "decimal_mark": "."})

    first = client.get(f"/campaigns/{project.id}/imports/{run.id}?limit=2").get_data(as_text=True)

    assert "Rows with errors" in first and "Close Date" in first and "Product Name" in first
    assert "Region" not in first.split("Errors by row")[1].split("</table>")[0]  # on the next page
    assert "Next 2 errors" in first and "Import 30 deals" not in first


def test_a_bad_file_is_named_beside_the_field(login, people, import_world):
    response = _post_file(login(people["sales"]), import_world["project"], b"", "empty.csv")

    assert response.status_code == 200 and "The file is empty." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) == 0


@pytest.mark.parametrize("who", ["product", "team", "sales2", "outsider"])
def test_who_may_not_import_gets_not_found(login, people, import_world, who):
    project = import_world["project"]
    run = upload(people["sales"], project, "generic.csv")
    client = login(people[who])

    for url in (f"/campaigns/{project.id}/imports/", f"/campaigns/{project.id}/imports/{run.id}",
                f"/campaigns/{project.id}/imports/{run.id}/mapping", f"/campaigns/{project.id}/imports/{run.id}/status.json"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/campaigns/{project.id}/imports/{run.id}/start", data={}).status_code == 404


def test_a_run_is_not_found_under_another_campaign(login, people, import_world):
    run = upload(people["sales"], import_world["project"], "generic.csv")
    other = import_world["other"]  # people["admin"] may import into both

    assert login(people["admin"]).get(f"/campaigns/{other.id}/imports/{run.id}").status_code == 404


def test_a_large_file_runs_as_a_job_and_the_page_follows_it(login, people, import_world, monkeypatch):
    monkeypatch.setattr(services, "INLINE_ROWS", 10)  # the tests run jobs inline, after the commit
    client, project = login(people["sales"]), import_world["project"]
    run = upload(people["sales"], project, "generic.csv")
    client.post(f"/campaigns/{project.id}/imports/{run.id}/mapping", data={**run.mapping, "date_format": "iso",
                                                                          "decimal_mark": "."})

    started = client.post(f"/campaigns/{project.id}/imports/{run.id}/start", data={})

    page = client.get(started.location).get_data(as_text=True)
    assert "The import runs in the background" in page
    db.session.expire_all()
    assert db.session.get(ImportRun, run.id).state == ImportState.DONE and "Commitments created" in page


def test_the_importing_page_polls_from_a_static_script(login, people, import_world):
    project = import_world["project"]
    run = upload(people["sales"], project, "generic.csv")
    run.state = ImportState.IMPORTING
    db.session.commit()

    page = login(people["sales"]).get(f"/campaigns/{project.id}/imports/{run.id}").get_data(as_text=True)

    assert 'src="/static/js/import-progress.js"' in page and "0 of 24 rows written" in page
    assert f'data-status-url="/campaigns/{project.id}/imports/{run.id}/status.json"' in page


def test_a_file_larger_than_a_form_but_within_the_limit_uploads_and_a_larger_one_is_refused(
        login, people, import_world, configure):
    client, project = login(people["sales"]), import_world["project"]
    data = generate(20_000, customers=1000)
    assert len(data) > 1024 * 1024  # beyond MAX_CONTENT_LENGTH, the app-wide limit of every other form

    assert _post_file(client, project, data).status_code == 302
    configure(MAX_UPLOAD_BYTES=512 * 1024)
    refused = _post_file(client, project, data)

    assert refused.status_code == 413 and "A CRM export may be at most 0.5 MB" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) == 1


def test_the_preview_page_costs_the_same_queries_for_twenty_times_the_errors(login, people, import_world):
    client, project = login(people["sales"]), import_world["project"]
    header = "deal_id,deal_name,customer_name,product,region,promised_date\n"

    def queries(bad_rows: int) -> int:
        body = "".join(f"D-{i},Deal {i},Customer {i},Fabrikam Cloud,Atlantis,someday\n" for i in range(bad_rows))
        run = preview(people["sales"], upload(people["sales"], project, (header + body).encode()))
        assert run.error_rows == bad_rows
        with counting() as statements:
            assert client.get(f"/campaigns/{project.id}/imports/{run.id}").status_code == 200
        return len(statements)

    assert queries(5) == queries(100)
