"""The multiple choice every form draws (app/core/widgets.py): checkboxes that post what the select posted."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import Form as PlainForm
from wtforms import SelectMultipleField

from app.core.widgets import FILTER_FROM, ChecklistWidget, selected_words
from app.extensions import db
from app.projects.forms import ProjectForm
from app.projects.models import Project
from tests.factories import RegionFactory


class PeopleForm(PlainForm):
    people = SelectMultipleField("Product managers", coerce=int, widget=ChecklistWidget())


def draw(choices: list[tuple[int, str]], posted: list[str]) -> str:
    form = PeopleForm(MultiDict([("people", value) for value in posted]))
    form.people.choices = choices
    return str(form.people())


def boxes(html: str) -> list[tuple[str, str, bool, str]]:
    """(id, value, checked, label) of each checkbox, in the order drawn."""
    found = re.findall(r'<li><input ([^>]*)><label for="([^"]+)">(.*?)</label></li>', html)
    return [(re.search(r'id="([^"]+)"', attrs).group(1), re.search(r'value="([^"]*)"', attrs).group(1),  # type: ignore[union-attr]
             " checked " in f" {attrs} ", label) for attrs, _, label in found]


def test_each_option_is_a_checkbox_named_like_the_field_with_its_label():
    html = draw([(1, "Ann"), (2, "Bob"), (3, "Cy")], posted=["3"])
    assert html.count('name="people"') == 3 and html.count('type="checkbox"') == 3
    # The chosen come first; each keeps the id of its place in the choices, and its label points at it.
    assert boxes(html) == [("people-2", "3", True, "Cy"), ("people-0", "1", False, "Ann"), ("people-1", "2", False, "Bob")]
    assert all(f'<label for="{box_id}">' in html for box_id, *_ in boxes(html))
    assert '<div class="multiselect-summary" hidden><span aria-live="polite" class="multiselect-count" id="people-count">1 selected</span>' in html
    assert "<select" not in html


def test_option_labels_and_values_are_escaped():
    form = PeopleForm()
    form.people.choices = [('"><script>x</script>', 'Tom & "Jerry" <b>')]
    form.people.coerce = str
    html = str(form.people())
    assert "<script>" not in html and "<b>" not in html
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert "Tom &amp; &#34;Jerry&#34; &lt;b&gt;</label>" in html


def test_a_short_list_has_no_filter_and_a_long_one_has_it_hidden_until_the_script_shows_it():
    short = draw([(n, f"P{n}") for n in range(FILTER_FROM - 1)], posted=[])
    assert "multiselect-filter" not in short and "multiselect-none" not in short
    long = draw([(n, f"P{n}") for n in range(200)], posted=["150", "7"])
    assert len(boxes(long)) == 200 and [b[1] for b in boxes(long)[:2]] == ["7", "150"]
    filter_box = re.search(r'<input [^>]*class="multiselect-filter"[^>]*>', long).group(0)  # type: ignore[union-attr]
    # No name: the filter's text is never posted. Hidden: without the script it would do nothing.
    assert " hidden " in filter_box and "name=" not in filter_box
    assert 'aria-label="Filter product managers"' in filter_box and 'aria-controls="people-options"' in filter_box
    assert '<p class="multiselect-none muted small" id="people-none" role="status"></p>' in long


def test_nothing_to_choose_says_so():
    assert "Nothing to choose from yet." in draw([], posted=[])


@pytest.mark.parametrize(("count", "words"), [(0, "None selected"), (1, "1 selected"), (12, "12 selected")])
def test_the_count_in_words(count, words):
    assert selected_words(count) == words


def test_every_form_of_the_app_draws_its_multiple_choices_as_checkboxes(app):
    with app.test_request_context():
        form = ProjectForm()
    for field in (form.region_ids, form.product_manager_ids, form.member_ids):
        assert isinstance(field.widget, ChecklistWidget)
        assert field.widget is not ProjectForm.region_ids.field_class.widget  # the class's own is left alone


@pytest.mark.parametrize(("path", "who"), [("/campaigns/new/upgrade_campaign", "sales"), ("/catalog/new", "product"),
                                           ("/feedback/new", "sales"), ("/briefings/new", "product")])
def test_no_page_draws_a_select_of_several(people, login, path, who):
    page = login(people[who]).get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "data-multiselect" in html and "<select multiple" not in html and " multiple" not in html
    assert re.search(r'<fieldset class="field multiselect-field[^"]*"[^>]*>\s*<legend>', html)


# --- a round trip through a page -----------------------------------------------------------------------

def campaign(regions: list[str], managers: list[str], **changes: str) -> dict[str, object]:
    return {"title": "Acme Pro upgrade", "start_date": "2027-01-04", "end_date": "2029-01-04",
            "goal_metric": "Customers on the new tier", "goal_target": "50", "budget": "0", "currency": "EUR",
            "region_ids": regions, "product_manager_ids": managers, **changes}


def checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'<input checked id="[^"]+" name="{name}" type="checkbox" value="(\d+)">', html))


def test_several_values_post_and_come_back_checked_beside_the_errors(people, login):
    north, south, east = RegionFactory(name="North"), RegionFactory(name="South"), RegionFactory(name="East <&>")
    client = login(people["sales"])
    regions, managers = [str(north.id), str(east.id)], [str(people["product"].id)]

    # Another field is wrong: the page comes back with its error, and what was ticked still ticked.
    refused = client.post("/campaigns/new/upgrade_campaign", data=campaign(regions, managers, end_date="2026-01-01"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'class="field-error"' in html
    assert checked(html, "region_ids") == set(regions) and checked(html, "product_manager_ids") == set(managers)
    assert "East &lt;&amp;&gt;</label>" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0

    # A value that is no choice: the select's own check, its error inside the regions' fieldset.
    wrong = client.post("/campaigns/new/upgrade_campaign", data=campaign([str(north.id), "999999"], managers))
    html = wrong.get_data(as_text=True)
    regions_group = re.search(r'<fieldset class="field multiselect-field has-error"[^>]*>\s*<legend>Regions</legend>'
                              r'.*?</fieldset>', html, re.S)
    assert regions_group is not None and "is not a valid choice" in regions_group.group(0)
    assert 'aria-describedby="region_ids-hint region_ids-error-1"' in regions_group.group(0)

    saved = client.post("/campaigns/new/upgrade_campaign", data=campaign([str(south.id), *regions], managers))
    assert saved.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.title == "Acme Pro upgrade"))
    assert project is not None and {r.name for r in project.regions} == {"North", "South", "East <&>"}
    assert project.start_date == date(2027, 1, 4)
    edit = client.get(f"/campaigns/{project.id}/edit").get_data(as_text=True)
    assert checked(edit, "region_ids") == {str(north.id), str(south.id), str(east.id)}
    assert '<div class="multiselect-summary" hidden><span aria-live="polite" class="multiselect-count" id="region_ids-count">3 selected</span>' in edit
