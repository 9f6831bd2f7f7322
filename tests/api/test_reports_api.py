"""GET /api/v1/reports: every section's figures as JSON, filters validated like the page's."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.briefings.models import Briefing
from app.extensions import db
from app.feedback.models import Feedback
from tests.factories import RegionFactory


@pytest.fixture
def today(clock) -> date:
    return clock.to(datetime(2026, 5, 15, 12, 0)).date()


@pytest.fixture
def region(people, make_product, today):
    """One region with two briefings in 2026 Q1 (90 + 30 minutes) and one feedback item decided in 1.5 days."""
    region = RegionFactory(name="North")
    product = make_product("Alpha")
    for held_on, minutes in ((date(2026, 1, 10), 90), (date(2026, 2, 20), 30)):
        db.session.add(Briefing(title="Pro tier", region=region, sales_team="Field", held_on=held_on,
                                duration_minutes=minutes, presenter=people["product"], created_by=people["product"],
                                products=[product]))
    db.session.add(Feedback(kind="problem", title="Slow export", region=region, submitted_by=people["sales"],
                            created_at=datetime(2026, 3, 1), first_decided_at=datetime(2026, 3, 2, 12), state="now"))
    db.session.commit()
    return region


def test_the_report_as_json(api, people, region) -> None:
    response = api(people["product"]).get("/api/v1/reports")
    assert response.status_code == 200
    body = response.get_json()
    assert body["filters"] == {"date_from": "2025-04-01", "date_to": "2026-05-15", "region_id": None,
                               "product_id": None, "quiet_days": 90}
    assert body["quarters"] == ["2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]
    assert set(body) == {"filters", "quarters", "headline", "briefings", "quiet_regions", "feedback", "triage",
                         "commitments", "outcomes"}
    assert body["headline"]["briefings"] == 2 and body["headline"]["briefing_hours"] == 2.0  # 90 + 30 minutes
    assert body["headline"]["median_triage_days"] == 1.5  # 1 Mar 00:00 → 2 Mar 12:00
    assert body["briefings"][0] == {
        "region_id": region.id, "region": "North", "briefings": 2, "hours": 2.0, "products": 1,
        "quarters": [{"quarter": "2026 Q1", "briefings": 2, "hours": 2.0, "products": 1}],
    }
    # 20 Feb → 15 May: 8 + 31 + 30 + 15 = 84 days, within 90
    assert body["quiet_regions"] == [{"region_id": region.id, "region": "North", "quiet": False, "days_since": 84,
                                      "last_briefing": "2026-02-20"}]
    problem = next(k for k in body["triage"]["kinds"] if k["kind"] == "problem")
    assert problem == {"kind": "problem", "label": "Problem", "decided": 1, "median_days": 1.5, "mean_days": 1.5,
                       "untriaged": 0, "oldest_untriaged_days": None}
    assert body["commitments"]["median_days_to_countersign"] is None
    assert len(body["commitments"]["quarters"]) == 5 and body["outcomes"]["product_filter_applies"] is False


def test_filters_apply(api, people, region) -> None:
    body = api(people["sales"]).get(
        f"/api/v1/reports?date_from=2026-02-01&date_to=2026-03-31&region_id={region.id}&quiet_days=30").get_json()
    assert body["quarters"] == ["2026 Q1"]
    assert body["headline"]["briefings"] == 1  # only 20 Feb's
    assert body["quiet_regions"][0]["quiet"] is True  # 84 days > 30


@pytest.mark.parametrize(("query", "field"), [
    ("date_from=2026-05-02&date_to=2026-05-01", "date_to"),
    ("date_from=yesterday", "date_from"),
    ("region_id=abc", "region_id"),
    ("product_id=424242", "product_id"),
    ("quiet_days=0", "quiet_days"),
    ("date_to=9999-12-31", "date_to"),
    ("date_from=0001-01-01&date_to=2026-01-01", "date_from"),
])
def test_a_bad_filter_is_a_400_naming_the_field(api, people, region, query: str, field: str) -> None:
    response = api(people["admin"]).get(f"/api/v1/reports?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]


def test_a_team_member_who_does_not_sell_gets_404(api, people, region) -> None:
    assert api(people["team"]).get("/api/v1/reports").status_code == 404


def test_signing_in_is_required(client, region) -> None:
    assert client.get("/api/v1/reports").status_code == 401
