"""The report's briefing coverage per team: sellers, those briefed in the period, the share, paged, as CSV."""

from __future__ import annotations

from datetime import date

import pytest

from app.accounts.models import Role
from app.briefings.models import Briefing
from app.extensions import db
from app.reports import csv as report_csv
from app.reports import services
from app.reports.filters import ReportFilters
from app.teams import services as teams
from tests.factories import RegionFactory, UserFactory
from tests.queries import counting

PERIOD = ReportFilters(date(2026, 1, 1), date(2026, 3, 31))


def _brief(people, region, product, held_on, attendees):
    briefing = Briefing(title="Pro pricing", region=region, sales_team="Field", held_on=held_on, duration_minutes=60,
                        presenter=people["product"], created_by=people["product"], products=[product],
                        attendees=list(attendees))
    db.session.add(briefing)
    return briefing


@pytest.fixture
def org(people, make_product):
    """Milan (4 sellers: 2 briefed in the period, 1 only before it, 1 inactive and briefed), Munich (2 sellers,
    1 briefed on Beta only), Empty (no sellers)."""
    south, dach = RegionFactory(name="Southern Europe"), RegionFactory(name="DACH")
    alpha, beta = make_product("Alpha"), make_product("Beta")
    reps = {name: UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name=name)
            for name in ("Ann", "Ben", "Cat", "Dan", "Eve", "Fay")}
    milan = teams.save_team(people["admin"], None, "Milan field sales", south.id)
    munich = teams.save_team(people["admin"], None, "Munich desk", dach.id)
    empty = teams.save_team(people["admin"], None, "Empty desk", dach.id)
    teams.add_members(people["admin"], milan, [reps[n].id for n in ("Ann", "Ben", "Cat", "Dan")])
    teams.add_members(people["admin"], munich, [reps["Eve"].id, reps["Fay"].id])
    reps["Dan"].active = False
    # Ann twice (counts once), Ben in another region's briefing (still briefed), Cat before the period.
    _brief(people, south, alpha, date(2026, 1, 10), [reps["Ann"], reps["Dan"]])
    _brief(people, south, alpha, date(2026, 2, 10), [reps["Ann"]])
    _brief(people, dach, alpha, date(2026, 3, 31), [reps["Ben"], people["pm"]])
    _brief(people, south, alpha, date(2025, 12, 31), [reps["Cat"]])
    _brief(people, dach, beta, date(2026, 2, 1), [reps["Eve"]])
    db.session.commit()
    return {"south": south, "dach": dach, "alpha": alpha, "beta": beta, "milan": milan, "munich": munich,
            "empty": empty}


def _figures(rows):
    return [(r.team, r.sellers, r.briefed, None if r.percent is None else round(r.percent, 1)) for r in rows]


def test_each_team_counts_its_active_sellers_briefed_at_least_once_in_the_period(org):
    page = services.team_coverage_page(PERIOD)
    assert _figures(page.items) == [("Empty desk", 0, 0, None), ("Milan field sales", 3, 2, 66.7),
                                    ("Munich desk", 2, 1, 50.0)]
    assert page.next_cursor is None


def test_a_product_counts_only_briefings_covering_it(org):
    rows = services.team_coverage_page(ReportFilters(PERIOD.date_from, PERIOD.date_to, product_id=org["alpha"].id))
    assert _figures(rows.items)[1:] == [("Milan field sales", 3, 2, 66.7), ("Munich desk", 2, 0, 0.0)]
    rows = services.team_coverage_page(ReportFilters(PERIOD.date_from, PERIOD.date_to, product_id=org["beta"].id))
    assert _figures(rows.items)[1:] == [("Milan field sales", 3, 0, 0.0), ("Munich desk", 2, 1, 50.0)]


def test_a_region_shows_its_teams(org):
    rows = services.team_coverage_export(ReportFilters(PERIOD.date_from, PERIOD.date_to, region_id=org["dach"].id))
    assert [r.team for r in rows] == ["Empty desk", "Munich desk"]


def test_the_period_bounds_are_inclusive(org):
    rows = services.team_coverage_export(ReportFilters(date(2025, 12, 31), date(2026, 1, 10)))
    assert _figures(rows)[1] == ("Milan field sales", 3, 2, 66.7)  # Cat on the 31st, Ann on the 10th


def test_the_csv_has_a_row_per_team(org):
    text = report_csv.team_coverage_csv(services.team_coverage_export(PERIOD))
    assert text.splitlines() == ["team,region,sellers,briefed,coverage_percent", "Empty desk,DACH,0,0,",
                                 "Milan field sales,Southern Europe,3,2,66.7", "Munich desk,DACH,2,1,50.0"]


def test_the_page_and_the_report_page_stay_at_the_same_queries_with_many_teams(people, login, org):
    from app.core.pagination import PageRequest

    client = login(people["sales"])
    url = "/reports/?date_from=2026-01-01&date_to=2026-03-31"

    def measure():
        db.session.expire_all()
        with counting() as statements:
            page = services.team_coverage_page(PERIOD, PageRequest(limit=2))
        with counting() as on_page:
            assert client.get(url).status_code == 200
        return len(statements), len(on_page), page

    few = measure()
    for number in range(40):
        team = teams.save_team(people["admin"], None, f"Desk {number:02}", org["south"].id)
        reps = [UserFactory(role=Role.TEAM_MEMBER, sales_rep=True).id for _ in range(3)]
        teams.add_members(people["admin"], team, reps)
    db.session.commit()
    many = measure()
    assert few[:2] == many[:2] and few[0] == 2  # the page's teams, and one aggregate of their figures
    assert len(many[2].items) == 2 and many[2].next_cursor is not None


def test_the_report_page_shows_the_section_and_pages_it(people, login, org):
    client = login(people["sales"])
    html = client.get("/reports/?date_from=2026-01-01&date_to=2026-03-31&limit=2").get_data(as_text=True)
    assert "Briefing coverage per team" in html and "Milan field sales" in html and "Munich desk" not in html
    assert "Next 2 teams" in html
    csv = client.get("/reports/team-coverage.csv?date_from=2026-01-01&date_to=2026-03-31")
    assert csv.status_code == 200 and b"Milan field sales,Southern Europe,3,2,66.7" in csv.data
    assert client.get("/reports/?limit=0").status_code == 400
