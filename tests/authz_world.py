"""The world the authorization matrix (tests/test_authorization.py) walks: two campaigns and a
record of every kind on each side of the line.

The five people of ``people`` ("admin", "sales", "pm", "product", "team") are all on campaign
*Ours* (the sales manager owns it, the project manager runs it, the product manager is its product
manager, the team member is a member; the admin is not a member: admins see every campaign) and
keep its records: product *Northwind Pro* (the product manager's), feedback the seller filed, a
briefing and an update the product manager published, a commitment on *Ours*, and each person's
own notification, calendar link, API token and a sign-in in another browser.

Nobody of the five is on campaign *Theirs*: it and its records (product *Contoso Hub*, the
feedback about it triaged "now" against a milestone of *Theirs*, its commitment, briefing and
update) belong to other people, as do the outsider's notification, calendar link, token and sign-in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import FileStorage

from app.accounts import twofactor
from app.accounts.models import Role, User
from app.accounts.services import issue_token
from app.accounts.sessions import start_session
from app.briefings import services as briefings
from app.briefings.models import Briefing
from app.calendars import services as calendars
from app.catalog import services as catalog
from app.catalog.models import Product
from app.comments import access as comment_access
from app.comments import services as comments
from app.commitments import services as commitments
from app.core import clock
from app.extensions import db
from app.feedback import decisions as feedback_decisions
from app.feedback import services as feedback
from app.imports import services as imports
from app.milestones import services as milestones
from app.notifications.emails import preferences_token
from app.notifications.services import notify
from app.projects import services as projects
from app.projects.models import Project
from app.publishing import services as publishing
from app.teams import services as teams
from app.updates import services as updates
from app.webhooks import services as webhooks
from tests.briefings import PDF
from tests.factories import RegionFactory, UserFactory

ROLES = ("admin", "sales", "pm", "product", "team")


@dataclass
class World:
    """URL arguments per side: ``own[role]`` fills a URL with the role's own records, ``other`` with
    records none of the five may open (the person-bound ones are the outsider's)."""

    own: dict[str, dict[str, Any]] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # the API bearer token of each role
    ours: Project | None = None
    theirs: Project | None = None


#: A CRM export each side has uploaded (and not yet mapped): what the import routes find by ``run_id``.
IMPORT_FILE = (b"deal_id,deal_name,customer_name,product,region,promised_date\n"
               b"D-1,SSO for 500 seats,Acme,Northwind Pro,Southern Europe,2027-06-30\n")


def _side(actor: User, project: Project, product: Product, filer: User, region_id: int, title: str) -> dict[str, Any]:
    """A task, commitment, feedback, briefing with a deck and product update on ``project``'s side."""
    milestone = project.milestones[0]
    task = milestones.create_task(project.project_manager, milestone, milestones.TaskInput(f"{title} task"))
    commitment = commitments.create_commitment(project.owner, project, commitments.CommitmentInput(
        customer=f"{title} customer", product_id=product.id, region_id=region_id, promise="SSO",
        promised_date=clock.today() + timedelta(days=900), unit_price=Decimal("90.00")))
    owner = product.owners[0]
    item = feedback.file_feedback(filer, feedback.FeedbackInput(
        kind="feature_request", title=f"{title} feedback", region_id=region_id, product_ids=(product.id,)))
    briefing: Briefing = briefings.log_briefing(owner, briefings.BriefingInput(
        title=f"{title} briefing", region_id=region_id, sales_team="Field sales",
        held_on=clock.today() - timedelta(days=2), duration_minutes=60, presenter_id=owner.id,
        product_ids=[product.id]))
    material = briefings.add_material(owner, briefing, FileStorage(io.BytesIO(PDF), "deck.pdf"))
    update = updates.publish_update(owner, updates.UpdateInput(product_id=product.id, kind="pricing",
                                                               title=f"{title} update", requires_ack=True))
    run = imports.upload(project.owner, project, "deals.csv", IMPORT_FILE)
    comment = comments.post(project.project_manager, comment_access.KINDS["campaign"], project, f"{title} comment")
    db.session.flush()
    return {
        "project_id": project.id, "milestone_id": milestone.id, "task_id": task.id, "number": 1,
        "commitment_id": commitment.id, "feedback_id": item.id, "briefing_id": briefing.id,
        "material_id": material.id, "update_id": update.id, "product_id": product.id, "run_id": run.id,
        "band_id": product.bands[0].id, "link_id": product.links[0].id,
        # Customers are the company's, not a campaign's: the same on both sides, as are the CRM's ids.
        "customer_id": commitment.customer_id, "source": "salesforce", "external_id": "matrix-customer",
        "deal_id": "matrix-deal",
        # Comments: a thread by its kind and record (the campaign's), and the project manager's comment on it.
        "kind": "campaign", "record_id": project.id, "comment_id": comment.comment.id,
        "_feedback": item, "_milestone": milestone,
    }


def _personal(user: User) -> dict[str, Any]:
    """What belongs to one person: a notification, a calendar link (and its token), an API token, a
    sign-in in another browser."""
    [note] = notify([user], "comment", f"A note for {user.name}", link="/inbox/")
    feed, plain = calendars.create_feed(user, calendars.FeedInput(name="Phone", kind="mine"))
    token, _ = issue_token(user, "Matrix")
    signed_in = start_session(user, remember=True, ip="198.51.100.7", user_agent="Matrix phone").session
    twofactor.trust(signed_in)  # and a browser trusted to skip the two-factor code
    return {"notification_id": note.id, "feed_id": feed.id, "token_id": token.id, "user_id": user.id,
            "session_id": signed_in.id,
            "calendar_token": plain, "email_token": preferences_token(user.id, "updates")}


def build(people: dict[str, User], make_project: Any, make_product: Any) -> World:
    region = RegionFactory(name="Southern Europe")
    other_pm = UserFactory(role=Role.PROJECT_MANAGER, name="Otto Other-PM")
    other_product = UserFactory(role=Role.PRODUCT_MANAGER, name="Olga Other-Product")
    other_team = UserFactory(role=Role.TEAM_MEMBER, name="Theo Their-Team")
    db.session.commit()
    ours_product = make_product("Northwind Pro", coverage={region: "sellable"})
    theirs_product = make_product("Contoso Hub", owners=[other_product], coverage={region: "sellable"})
    for product in (ours_product, theirs_product):
        catalog.add_link(product.owners[0], product, "Datasheet", "https://example.com/datasheet.pdf")
    ours = make_project("Ours", state="active", region_ids=[region.id])
    theirs = make_project("Campaign 7 secret", owner=people["sales2"], region_ids=[region.id],
                          project_manager_id=other_pm.id, product_manager_ids=[other_product.id],
                          member_ids=[other_team.id])
    for event, actor in (("submit", people["sales2"]), ("plan", other_pm), ("launch", other_pm)):
        projects.fire_transition(actor, theirs, event)
    world = World(ours=ours, theirs=theirs)
    mine = _side(people["pm"], ours, ours_product, people["sales"], region.id, "Ours")
    other = _side(other_pm, theirs, theirs_product, people["sales2"], region.id, "Theirs")
    # The leak of issue 15: their feedback triaged "now" against a milestone of their campaign.
    feedback_decisions.triage(other_product, other["_feedback"], "now", "In their first milestone.",
                    milestone_id=other["_milestone"].id)
    # The admins' publishing token reads the catalog for another system: it is no one's record.
    publishing_token, _secret = publishing.create_token(people["admin"], "Intranet")
    # A sales team is shared reference data, as a region is: every route names the same one.
    team = teams.save_team(people["admin"], None, "Milan field sales", region.id)
    shared = {"region_id": region.id, "team_id": team.id, "template_key": "upgrade_campaign", "key": "overdue",
              "section": "briefings", "job_id": "no-such-job", "name": "no-such-message.eml",
              "filename": "css/app.css", "publishing_token_id": publishing_token.id}
    # A webhook endpoint with one message (its delivery to the closed port 9 is refused): the admins'
    # alone, the same for every side.
    hook, _secret = webhooks.create_endpoint(people["admin"], webhooks.EndpointInput(
        url="http://127.0.0.1:9/matrix", event_types=("milestone.completed",)))
    message = webhooks.send_test(people["admin"], hook)
    db.session.flush()
    shared.update(endpoint_id=hook.id, message_id=message.id)
    for role in ROLES:
        world.own[role] = {**shared, **mine, **_personal(people[role])}
        world.tokens[role] = issue_token(people[role], "Matrix client")[1]
    world.other = {**shared, **other, **_personal(people["outsider"])}
    db.session.commit()
    return world
