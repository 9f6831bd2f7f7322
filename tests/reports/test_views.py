"""The reports page and its CSV downloads: who sees them, what they show, and bad filters."""

from __future__ import annotations

import csv
import io

import pytest

from tests.reports.helpers import Dataset

SECTIONS = ["briefings", "quiet-regions", "feedback", "triage", "commitments", "outcomes"]


@pytest.mark.parametrize("who", ["admin", "sales", "pm", "product"])
def test_the_page_shows_every_section_with_its_chart(login, people, dataset: Dataset, who: str) -> None:
    response = login(people[who]).get("/reports/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # One chart per section, each drawn twice: at its width and for a phone (the page shows one).
    assert page.count('role="img"') == 12
    assert page.count("report-chart-wide") == page.count("report-chart-narrow") == 6
    for heading in ("Briefings per region and quarter", "Regions with no briefing in the last 90 days",
                    "Feedback received, by type", "How long triage takes",
                    "Commitments: requested, countersigned, rejected", "Campaign goals: outcomes of completed campaigns"):
        assert heading in page
    for section in SECTIONS:
        assert f"/reports/{section}.csv?" in page
    assert "01 Apr 2025 – 15 May 2026" in page
    assert "Median days to countersign" in page and ">2.5<" in page  # the headline: median of 2.5, 1.0, 4.0


def test_a_team_member_who_does_not_sell_gets_404(login, people, dataset: Dataset) -> None:
    client = login(people["team"])
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/briefings.csv").status_code == 404


def test_a_team_member_who_sells_sees_reports(login, people, dataset: Dataset) -> None:
    people["team"].sales_rep = True
    assert login(people["team"]).get("/reports/").status_code == 200


def test_signing_in_is_required(client, dataset: Dataset) -> None:
    response = client.get("/reports/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_filters_narrow_the_page_and_the_product_filter_is_explained(login, people, dataset: Dataset) -> None:
    page = login(people["sales"]).get(
        f"/reports/?region_id={dataset.north.id}&product_id={dataset.beta.id}&quiet_days=30").get_data(as_text=True)
    assert "North · Beta" in page
    assert "Campaigns have no product: the product filter does not apply here." in page
    assert "no briefing in the last 30 days" in page
    assert f'<option value="{dataset.north.id}" selected>North</option>' in page


def test_a_bad_filter_is_explained_on_the_page(login, people, dataset: Dataset) -> None:
    response = login(people["sales"]).get("/reports/?date_from=2026-05-02&date_to=2026-05-01&quiet_days=x")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Some filters are invalid." in page
    assert "Quiet after:</strong> Enter a whole number." in page  # the period is checked once its parts are valid
    assert 'role="img"' not in page and "Correct the filters above" in page
    assert 'value="2026-05-02"' in page  # what was typed stays in the form


def test_the_period_error_shows_when_only_the_dates_are_wrong(login, people, dataset: Dataset) -> None:
    page = login(people["sales"]).get("/reports/?date_from=2026-05-02&date_to=2026-05-01").get_data(as_text=True)
    assert "The end of the period must be on or after its start." in page


def test_csv_download(login, people, dataset: Dataset) -> None:
    response = login(people["product"]).get("/reports/commitments.csv?date_from=2025-10-01&date_to=2026-03-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="countersign-commitments-2025-10-01-to-2026-03-31.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["quarter_submitted", "requested", "countersigned", "rejected", "waiting", "other",
         "median_days_to_countersign"],
        ["2025 Q4", "1", "1", "0", "0", "0", "4.0"],
        ["2026 Q1", "3", "2", "1", "0", "0", "1.8"],
    ]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_downloads_with_a_header_row(login, people, dataset: Dataset, section: str) -> None:
    response = login(people["admin"]).get(f"/reports/{section}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="countersign-{section}-')
    header = response.get_data(as_text=True).splitlines()[0]
    assert header and header == header.lower()


def test_quiet_regions_csv_follows_the_filters(login, people, dataset: Dataset) -> None:
    text = login(people["admin"]).get(f"/reports/quiet-regions.csv?quiet_days=60&region_id={dataset.north.id}")
    assert text.get_data(as_text=True).splitlines() == [
        "region,last_briefing,days_since,quiet,quiet_after_days", "North,2026-02-20,84,yes,60"]


def test_a_date_at_the_calendars_end_is_explained_not_a_server_error(login, people, dataset: Dataset) -> None:
    client = login(people["sales"])
    page = client.get("/reports/?date_from=9999-12-31&date_to=9999-12-31")
    assert page.status_code == 400 and "Enter a date between" in page.get_data(as_text=True)
    assert client.get("/reports/briefings.csv?date_to=0001-01-01").status_code == 400


def test_a_bad_csv_filter_is_a_plain_400_and_an_unknown_section_404(login, people, dataset: Dataset) -> None:
    client = login(people["admin"])
    response = client.get("/reports/briefings.csv?region_id=abc")
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert "region_id: Enter a whole number." in response.get_data(as_text=True)
    assert client.get("/reports/everything.csv").status_code == 404
