"""The demo's sales–product loop: feedback in every triage state, briefings with a deck, product updates.

Everything goes through the services, as people would do it. Feedback and briefings are then
dated back (when it was filed, when product first answered) so that the reports page shows a
few quarters of history on a fresh install; the services themselves always stamp "now".
Each record is matched by its title, so a second load adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.accounts.models import User
from app.briefings import services as briefings
from app.briefings.models import Briefing
from app.catalog.models import Product
from app.commitments.models import Commitment
from app.customers.models import Customer
from app.extensions import db
from app.feedback import decisions as feedback_decisions
from app.feedback import services as feedback
from app.feedback.models import Feedback
from app.projects.models import Project
from app.regions.models import Region
from app.updates import services as updates
from app.updates.models import ProductUpdate


@dataclass(frozen=True)
class Said:
    """One piece of demo feedback: who filed it, what, when, and what product made of it."""

    title: str
    seller: str
    kind: str
    product: str
    region: str
    customer: str
    source: str
    channel: str
    revenue: str | None
    days_ago: int
    decision: tuple[str, ...] = ()  # (event, answer, extra) — extra: a reason, revisit days, or a title
    answered_after: int = 0  # days


FEEDBACK = [
    Said("Rival offers an on-premises edition", "sales", "competitor_intel", "Northwind Pro", "DACH", "Bergmann AG",
         "CIO, at the quarterly business review", "meeting", "250000", 12,
         ("later", "We are weighing a private-cloud edition; we look at it again with the 2027 plan.", "75"), 4),
    Said("Import pipelines from Salesforce", "sales", "feature_request", "Northwind Pro", "EMEA-S", "Acme Retail",
         "Head of sales operations", "call", "120000", 120,
         ("now", "Planned: the importer ships with the first-year checkpoint of the upgrade campaign.", ""), 3),
    Said("Salesforce migration tool", "team2", "feature_request", "Northwind Pro", "EMEA-S", "Rossi Moda",
         "IT manager, during the demo", "meeting", "30000", 60,
         ("duplicate", "", "Import pipelines from Salesforce"), 2),
    Said("Atlas dashboards in Swedish", "team2", "market_appetite", "Atlas Analytics", "NORDICS", "Fjord Energy",
         "Trading desk lead", "call", "80000", 5),
    Said("Standard tier too dear for 20-seat teams", "sales", "pricing", "Northwind Pro", "UKI", "Brightline Ltd",
         "Lost to a cheaper rival", "lost_deal", "45000", 200,
         ("decline", "Standard stays where it is: below it we would undercut our own partners.",
          "The band protects partner margins; small teams are served by partners."), 12),
    Said("Old PDF export truncates long reports", "sales2", "problem", "Legacy Reports", "EMEA-S", "Ferri SpA",
         "Support ticket 4411", "support", None, 280,
         ("done", "Fixed in the last Legacy Reports release; Atlas Analytics replaces it for good.", ""), 20),
]

#: (title, region, sales team, days ago, minutes, presenter, products, attendees, guests, key points, with a deck)
BRIEFINGS = [
    ("Northwind Pro: Q4 pricing and the Pro upgrade offer", "EMEA-S", "Milan field sales", 20, 90, "product",
     ["Northwind Pro"], ["sales2", "team2"], "Marco Rossi (partner, Rossi IT)",
     "New Enterprise minimum of 110\nUpgrade offer: 20% off the first year\nWhat to say about on-premises", True),
    ("Atlas Analytics preview for the Nordics", "NORDICS", "Stockholm inside sales", 45, 60, "product2",
     ["Atlas Analytics"], ["sales"], "", "Dashboards and scheduled reports\nLaunch date and early-access terms", False),
    ("Single sign-on deep-dive", "DACH", "Munich enterprise team", 130, 120, "product", ["Northwind Pro"],
     ["sales2"], "", "SCIM provisioning\nAnswering the BSI C5 question", False),
    ("Data residency talk track", "UKI", "London enterprise", 210, 45, "product", ["Northwind Pro"], ["sales"],
     "", "EU data residency and the UK\nWhat we may promise about hosting", False),
    ("Retiring Legacy Reports", "EMEA-S", "Milan field sales", 300, 30, "product", ["Legacy Reports"],
     ["sales2"], "", "Stop selling from 1 March\nMove customers to Atlas Analytics", False),
]

#: (title, product, kind, region or None, asks for acknowledgement, who acknowledged)
UPDATES = [
    ("The Enterprise minimum is now 110", "Northwind Pro", "pricing", None, True, ["sales2"],
     "The Enterprise band's minimum price rises from 100 to 110 per seat and month. Offers below it need a "
     "product manager's agreement."),
    ("Sellable in the Nordics from launch", "Atlas Analytics", "region", "NORDICS", False, [],
     "Atlas Analytics becomes sellable in the Nordics on its launch date; planned coverage is in the catalog."),
    ("Retired: no new contracts", "Legacy Reports", "retirement", None, True, ["sales", "sales2"],
     "No new Legacy Reports contracts. Offer Atlas Analytics instead; renewals until the end of the year."),
]

#: A tiny but real PDF, enough for the deck's content check and any PDF viewer.
DECK = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


#: When the demo's commitments were submitted and decided (days ago), so that the reports show
#: real waits for a countersignature instead of the seconds the demo took to load.
COMMITMENT_DATES = {
    "Acme Retail": (64, 61), "Sakura Trading": (35, 34), "Bergmann AG": (150, 145),
    "Globex Ltd": (9, None), "Fjord Energy": (3, None),
}


def load_loop(today: date, people: dict[str, User], area: dict[str, Region], products: dict[str, Product]) -> int:
    """Create whatever of the loop's demo records is missing; returns how many were created."""
    return (_feedback(today, people, area, products) + _briefings(today, people, area, products)
            + _updates(people, area, products))


def date_back_commitments(today: date, customers: set[str]) -> None:
    """Give the commitments just created (by customer) the history in ``COMMITMENT_DATES``."""
    for commitment in db.session.scalars(sa.select(Commitment).join(Commitment.customer)
                                         .where(Customer.name.in_(customers))):
        submitted, decided = COMMITMENT_DATES.get(commitment.customer.name, (None, None))
        if submitted is not None and commitment.submitted_at is not None:
            commitment.submitted_at = _at(today, submitted, 9)
        if decided is not None and commitment.decided_at is not None:
            commitment.decided_at = _at(today, decided, 16)


def _at(today: date, days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour))


def _feedback(today: date, people: dict[str, User], area: dict[str, Region], products: dict[str, Product]) -> int:
    created = 0
    for said in FEEDBACK:
        if db.session.scalar(sa.select(Feedback.id).where(Feedback.title == said.title)) is not None:
            continue
        item = feedback.file_feedback(people[said.seller], feedback.FeedbackInput(
            kind=said.kind, title=said.title, region_id=area[said.region].id,
            product_ids=[products[said.product].id], customer=said.customer, source_name=said.source,
            channel=said.channel, revenue_at_stake=Decimal(said.revenue) if said.revenue else None,
        ))
        if said.decision:
            _decide(today, item, said, people, products)
        item.created_at = _at(today, said.days_ago)
        if item.first_decided_at is not None:
            item.first_decided_at = item.decided_at = _at(today, said.days_ago - said.answered_after, 15)
            for decision in item.decisions:
                decision.decided_at = item.decided_at
        created += 1
    db.session.flush()
    return created


def _decide(today: date, item: Feedback, said: Said, people: dict[str, User], products: dict[str, Product]) -> None:
    event, answer, extra = said.decision
    signer = products[said.product].owners[0]
    if event == "now":
        campaign = db.session.scalars(sa.select(Project).where(Project.title == "Northwind Pro tier upgrade")).one()
        milestone = next(m for m in campaign.milestones if m.target_value is not None and m.due_date > today)
        feedback_decisions.triage(signer, item, event, answer, milestone_id=milestone.id)
    elif event == "later":
        feedback_decisions.triage(signer, item, event, answer, revisit_on=today + timedelta(days=int(extra)))
    elif event == "decline":
        feedback_decisions.triage(signer, item, event, answer, reason=extra)
    elif event == "duplicate":
        original = db.session.scalars(sa.select(Feedback).where(Feedback.title == extra)).one()
        feedback_decisions.triage(signer, item, event, answer, duplicate_of_id=original.id)
    else:
        feedback_decisions.triage(signer, item, event, answer)


def _briefings(today: date, people: dict[str, User], area: dict[str, Region], products: dict[str, Product]) -> int:
    created = 0
    for title, region, team, days_ago, minutes, presenter, names, attendees, guests, points, deck in BRIEFINGS:
        if db.session.scalar(sa.select(Briefing.id).where(Briefing.title == title)) is not None:
            continue
        briefing = briefings.log_briefing(people[presenter], briefings.BriefingInput(
            title=title, region_id=area[region].id, sales_team=team, held_on=today - timedelta(days=days_ago),
            duration_minutes=minutes, presenter_id=people[presenter].id, product_ids=[products[n].id for n in names],
            attendee_ids=[people[a].id for a in attendees], guest_names=guests, key_points=points,
        ))
        if deck:
            upload = FileStorage(BytesIO(DECK), filename="northwind-pro-q4-pricing.pdf", content_type="application/pdf")
            briefings.add_material(people[presenter], briefing, upload)
        created += 1
    return created


def _updates(people: dict[str, User], area: dict[str, Region], products: dict[str, Product]) -> int:
    created = 0
    for title, name, kind, region, ack, acknowledged_by, body in UPDATES:
        if db.session.scalar(sa.select(ProductUpdate.id).where(ProductUpdate.title == title)) is not None:
            continue
        product = products[name]
        update = updates.publish_update(product.owners[0], updates.UpdateInput(
            product_id=product.id, kind=kind, title=title, body=body,
            region_id=area[region].id if region else None, requires_ack=ack,
        ))
        for key in acknowledged_by:
            updates.acknowledge(people[key], update)
        created += 1
    return created
