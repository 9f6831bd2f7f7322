"""The large data set's sales–product loop: commitments in every sign-off state, feedback in every triage
state, briefings and product updates with their acknowledgements.

The rules the services enforce hold here too: a commitment is countersigned by a manager of its
product who neither wrote nor submitted it; one that binds is sellable where it was sold, priced
within its band and promised after the milestone that delivers it, unless it is at risk; a
finished or cancelled campaign holds no unsigned promise; a duplicate's revenue weighs on its original.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from app.accounts.models import Role
from app.briefings.models import Briefing, briefing_attendees, briefing_products
from app.commitments.models import Commitment as CommitmentRow
from app.core.text import date_label
from app.customers.models import Customer
from app.customers.names import normalise
from app.demo import vocabulary as words
from app.demo.large_world import Campaign, Commitment, Person, Product, World, audit_row
from app.feedback.models import Feedback, FeedbackDecision, feedback_products
from app.updates.models import KINDS as UPDATE_KINDS
from app.updates.models import ProductUpdate, UpdateAcknowledgement
from workflows.commitment import COMMITMENT_WORKFLOW, COUNTERSIGNED_STATES, CommitmentState
from workflows.commitment import STATES as COMMITMENT_STATES
from workflows.feedback import CHANNELS, FEEDBACK_WORKFLOW, FeedbackState
from workflows.feedback import STATES as FEEDBACK_STATES
from workflows.milestone import MilestoneState
from workflows.project import ProjectState

C = CommitmentState
#: Commitment states by the campaign's: (state, weight). Launching needs every promise countersigned,
#: completing too, and cancelling withdraws the unsigned ones, so closed campaigns hold none.
COMMITMENT_MIX = {
    "early": ((C.DRAFT, 15), (C.PENDING_SIGNOFF, 35), (C.CHANGES_REQUESTED, 10), (C.APPROVED, 25), (C.REJECTED, 10),
              (C.WITHDRAWN, 5)),
    "running": ((C.DRAFT, 4), (C.PENDING_SIGNOFF, 14), (C.CHANGES_REQUESTED, 4), (C.APPROVED, 44), (C.AT_RISK, 8),
                (C.REJECTED, 8), (C.FULFILLED, 14), (C.WITHDRAWN, 4)),
    ProjectState.COMPLETED: ((C.APPROVED, 40), (C.FULFILLED, 45), (C.REJECTED, 10), (C.WITHDRAWN, 5)),
    ProjectState.CANCELLED: ((C.WITHDRAWN, 55), (C.REJECTED, 20), (C.APPROVED, 15), (C.FULFILLED, 10)),
}
#: The steps behind each commitment state, after it was recorded as a draft.
COMMITMENT_PATHS = {
    C.DRAFT: (), C.PENDING_SIGNOFF: ("submit",), C.CHANGES_REQUESTED: ("submit", "request_changes"),
    C.APPROVED: ("submit", "approve"), C.AT_RISK: ("submit", "approve", "flag_risk"),
    C.REJECTED: ("submit", "reject"), C.FULFILLED: ("submit", "approve", "fulfil"), C.WITHDRAWN: ("submit", "withdraw"),
}
BINDING = COUNTERSIGNED_STATES
#: Feedback triage outcomes: (state, weight); "done" half the time after "now".
FEEDBACK_MIX = ((FeedbackState.NEW, 30), (FeedbackState.NOW, 12), (FeedbackState.LATER, 15), (FeedbackState.DECLINED, 10),
                (FeedbackState.DUPLICATE, 10), (FeedbackState.DONE, 13))
EVENT_OF = {FeedbackState.NOW: "now", FeedbackState.LATER: "later", FeedbackState.DECLINED: "decline",
            FeedbackState.DUPLICATE: "duplicate", FeedbackState.DONE: "done"}


def _weighted(world: World, mix: tuple[tuple[str, int], ...]) -> str:
    return world.rng.choices([s for s, _ in mix], cum_weights=list(accumulate(w for _, w in mix)))[0]


# --- customers ---------------------------------------------------------------------------------

def build_customers(world: World) -> None:
    """The customers the commitments and feedback are about, two in three known to a CRM by its id."""
    rows = []
    for number, name in enumerate(words.CUSTOMERS, start=1):
        ident = world.bulk.next_id(Customer.__table__)
        world.customers[name] = ident
        crm = world.pick(("salesforce", "hubspot", None))
        sellers = [p for p in world.people if p.role is Role.SALES_MANAGER]
        rows.append({
            "id": ident, "name": name, "name_key": normalise(name), "crm_source": crm,
            "external_id": f"L-{number:05d}" if crm else None, "region_id": world.pick(sorted(world.regions)),
            "owner_id": world.pick(sellers).id if sellers and world.chance(0.6) else None,
            "domain": f"{normalise(name).replace(' ', '')}.example", "notes": "", "created_at": world.now,
            "updated_at": world.now, "version": 1,
        })
    world.bulk.insert(Customer.__table__, rows)


# --- commitments -------------------------------------------------------------------------------

def build_commitments(world: World, count: int) -> None:
    """``count`` commitments on campaigns that have someone to sell: the owner or a member who sells."""
    if not world.customers:
        build_customers(world)
    campaigns = [c for c in world.campaigns if _sellers(c)]
    available = [p for p in world.products if p.status == "available" and p.sellable]
    others = [p for p in world.products if p.status != "retired"] or available
    rows = []
    for _ in range(count):
        campaign = world.pick(campaigns)
        state = _weighted(world, COMMITMENT_MIX[_stage(campaign)])
        product = world.pick(available if state in BINDING else others)
        rows.append(_commitment(world, campaign, state, product))
    world.bulk.insert(CommitmentRow.__table__, rows)
    for row, record in zip(rows, world.commitments, strict=True):
        _tell_commitment(world, row, record)
    world.audit(event for row, record in zip(rows, world.commitments, strict=True)
                for event in _commitment_history(row, record))


def _sellers(campaign: Campaign) -> list[Person]:
    """Who records its commitments: the owner (any launcher), and members who sell."""
    sellers = [p for p in campaign.people if p.active and (p is campaign.owner or p.sells)]
    return sorted(sellers, key=lambda p: p is not campaign.owner)


def _stage(campaign: Campaign) -> str:
    if campaign.state in {ProjectState.COMPLETED, ProjectState.CANCELLED}:
        return campaign.state
    return "running" if "launch" in campaign.steps else "early"


def _commitment(world: World, campaign: Campaign, state: str, product: Product) -> dict[str, Any]:
    seller = _sellers(campaign)[0] if world.chance(0.7) else world.pick(_sellers(campaign))
    signer = world.pick(product.owners)
    milestones = [m for m in campaign.milestones
                  if m.state == MilestoneState.OPEN or (m.state == MilestoneState.DONE and state in BINDING)]
    milestone = world.pick(milestones) if milestones and world.chance(0.5) else None
    if state == CommitmentState.AT_RISK and (milestone is None or milestone.state != MilestoneState.OPEN):
        state = CommitmentState.APPROVED  # at risk means a milestone still to come slipped past the promise
    if milestone is None:
        promised = world.today + world.days(-60, 240)
    elif state == CommitmentState.AT_RISK:
        promised = milestone.due - world.days(3, 30)
    else:
        promised = milestone.due + world.days(0 if state in BINDING else -10, 45)
    if state == CommitmentState.FULFILLED and promised > world.today:
        state = CommitmentState.APPROVED  # fulfilled only once its date has come
    regions = [r for r in campaign.regions if r in product.sellable] or sorted(product.sellable) or campaign.regions
    region = world.pick(regions if state in BINDING else campaign.regions)
    band = world.pick(product.bands) if product.bands and world.chance(0.9) else None
    low = band.minimum if band is not None else Decimal("5")
    high = band.list_price if band is not None else Decimal("500")
    if band is not None and state not in BINDING and world.chance(0.15):
        low = (low * Decimal("0.85")).quantize(Decimal("0.01"))  # below the band: a warning for the signer
    price = (low + (high - low) * Decimal(str(round(world.rng.random(), 3)))).quantize(Decimal("0.01"))
    closed = campaign.steps.get("complete") or campaign.steps.get("cancel") or world.now
    created = world.between(campaign.created_at + timedelta(hours=2), closed - timedelta(days=1))
    times = [created]
    for _ in COMMITMENT_PATHS[state]:
        times.append(world.between(times[-1] + timedelta(hours=1), times[-1] + timedelta(days=12)))
    customer = world.pick(words.CUSTOMERS)
    record = Commitment(world.bulk.next_id(CommitmentRow.__table__), campaign,
                        f"{customer}: {product.name} in {world.regions[region]}", state, seller, signer, promised,
                        times[1] if len(times) > 1 else None)
    world.commitments.append(record)
    decided = times[2] if len(times) > 2 and COMMITMENT_PATHS[state][1] != "withdraw" else None
    note = {C.REJECTED: words.REJECTIONS, C.CHANGES_REQUESTED: words.CHANGE_REQUESTS}.get(state)
    quantity = world.pick((5, 10, 25, 50, 80, 120, 300, 500, 1200))
    return {
        "id": record.id, "uuid": world.uuid4(), "project_id": campaign.id, "customer_id": world.customers[customer],
        "product_id": product.id, "region_id": region, "band_id": band.id if band else None,
        "milestone_id": milestone.id if milestone else None,
        "promise": world.pick(words.PROMISES).format(tier=band.tier if band else "Standard", n=quantity),
        "promised_date": promised, "unit_price": price,
        "discount_percent": Decimal(world.pick(("5", "10", "12.5", "15", "20"))) if world.chance(0.25) else None,
        "quantity": quantity, "state": state, "created_by_id": seller.id,
        "submitted_by_id": seller.id if record.submitted_at else None, "submitted_at": record.submitted_at,
        "decided_by_id": signer.id if decided else None, "decided_at": decided,
        "decision_note": world.pick(note) if note else "", "override_justification": "",
        "created_at": created, "updated_at": times[-1], "version": len(times),
    }


def _tell_commitment(world: World, row: dict[str, Any], record: Commitment) -> None:
    """The signer hears of a request waiting for them; the seller of the signer's decision."""
    link, project_id = f"/commitments/{record.id}", record.campaign.id
    if record.state == CommitmentState.PENDING_SIGNOFF and record.submitted_at is not None:
        world.tell(record.signer, record.submitted_at, "signoff_requested",
                   f"{record.title} waits for your countersignature",
                   f"Promised for {date_label(record.promised)} on “{record.campaign.title}”.", link, project_id)
    if row["decided_at"] is not None:
        event = COMMITMENT_PATHS[record.state][1]
        said = {"approve": "countersigned", "reject": "rejected", "request_changes": "sent back for changes"}[event]
        world.tell(record.seller, row["decided_at"], f"commitment_{event}",
                   f"{record.signer.name} {said} {record.title}", row["decision_note"], link, project_id)


def _commitment_history(row: dict[str, Any], record: Commitment) -> Iterator[dict[str, Any]]:
    """Recorded, then each step with who took it: the seller, the signer, or Countersign itself (at risk)."""
    title, project_id = record.title, record.campaign.id
    yield audit_row(row["created_at"], record.seller, "commitment.created", f"Recorded commitment {title}",
                    "commitment", record.id, project_id, to_state=CommitmentState.DRAFT)
    state = CommitmentState.DRAFT
    for event in COMMITMENT_PATHS[record.state]:
        transition = COMMITMENT_WORKFLOW.transition(event, state)
        assert transition is not None, (event, state)
        actor = {"approve": record.signer, "reject": record.signer, "request_changes": record.signer,
                 "flag_risk": None}.get(event, record.seller)
        note = row["decision_note"] if event in {"reject", "request_changes"} else ""
        if event == "withdraw":
            note = "The customer chose to wait"
        at = row["decided_at"] if event in {"approve", "reject", "request_changes"} else \
            (row["submitted_at"] if event == "submit" else row["updated_at"])
        yield audit_row(at, actor, f"commitment.{event}", transition.label + (f": {note}" if note else "") +
                        f" — {title}", "commitment", record.id, project_id, from_state=state,
                        to_state=transition.target, details={"reason": note, "justification": ""})
        state = transition.target
    assert state == record.state in COMMITMENT_STATES


# --- feedback ----------------------------------------------------------------------------------

def build_feedback(world: World, count: int) -> None:
    """``count`` feedback items from sellers, triaged by their products' managers (or still new)."""
    if not world.customers:
        build_customers(world)
    sellers = world.sellers() + world.with_role(Role.ADMIN)
    by_campaign: dict[int, list[Commitment]] = {}
    for commitment in world.commitments:
        by_campaign.setdefault(commitment.campaign.id, []).append(commitment)
    items: list[dict[str, Any]] = []
    decisions: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (item, decision row)
    links: list[dict[str, Any]] = []
    originals: dict[int, list[dict[str, Any]]] = {}  # by first product: what a later duplicate may repeat
    filed = sorted(world.now - world.days(1, 700) - timedelta(minutes=world.number(0, 600)) for _ in range(count))
    for at in filed:
        products = world.rng.sample(world.products, world.pick((1, 1, 1, 2)))
        item = _feedback(world, world.pick(sellers), products, at, by_campaign)
        _triage(world, item, products, originals.get(products[0].id, []), decisions)
        if item["state"] != FeedbackState.DUPLICATE:
            originals.setdefault(products[0].id, []).append(item)
        items.append(item)
        links += [{"feedback_id": item["id"], "product_id": p.id} for p in products]
    world.bulk.insert(Feedback.__table__, items)
    world.bulk.insert(feedback_products, links)
    world.bulk.insert(FeedbackDecision.__table__, (row for _, row in decisions))
    people = {p.id: p for p in world.people}
    for item, row in decisions:
        world.tell(people[item["submitted_by_id"]], row["decided_at"], "feedback_answered",
                   f"Your feedback “{item['title']}”: {FEEDBACK_STATES[row['to_state']].lower()}", row["answer"],
                   f"/feedback/{item['id']}")
    world.audit(audit_row(item["created_at"], people[item["submitted_by_id"]], "feedback.filed",
                          f"Filed feedback “{item['title']}”", "feedback", item["id"], item["project_id"],
                          to_state=FeedbackState.NEW) for item in items)
    world.audit(_decision_history(item, row, people[row["decided_by_id"]]) for item, row in decisions)


def _feedback(world: World, author: Person, products: list[Product], at: datetime,
              by_campaign: dict[int, list[Commitment]]) -> dict[str, Any]:
    kind = world.pick(list(words.FEEDBACK_TITLES))
    campaign = world.pick(author.campaigns) if author.campaigns and world.chance(0.35) else None
    commitments = by_campaign.get(campaign.id, []) if campaign is not None and world.chance(0.3) else []
    revenue = Decimal(world.number(5, 500) * 1000) if world.chance(0.7) else None
    return {
        "id": world.bulk.next_id(Feedback.__table__), "kind": kind, "title": world.pick(words.FEEDBACK_TITLES[kind]),
        "details": "", "region_id": world.pick(sorted(world.regions)), "customer_id": world.customers[world.pick(words.CUSTOMERS)],
        "project_id": campaign.id if campaign else None,
        "commitment_id": world.pick(commitments).id if commitments else None,
        "source_name": world.pick(words.SOURCES), "channel": world.pick(list(CHANNELS)), "revenue_at_stake": revenue,
        "currency": "EUR", "weight": revenue or Decimal("0"), "state": FeedbackState.NEW, "submitted_by_id": author.id,
        "created_at": at, "answer": "", "decided_by_id": None, "decided_at": None, "first_decided_at": None,
        "milestone_id": None, "planned_project_id": None, "revisit_on": None, "decline_reason": "",
        "duplicate_of_id": None, "updated_at": at, "version": 1,
    }


def _triage(world: World, item: dict[str, Any], products: list[Product], earlier: list[dict[str, Any]],
            decisions: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Decide the item as a manager of one of its products would, a day to a month after it was filed."""
    state = _weighted(world, FEEDBACK_MIX)
    decider = world.pick([owner for p in products for owner in p.owners])
    at = item["created_at"] + world.days(1, 30) + timedelta(hours=world.number(0, 8))
    if state == FeedbackState.NEW or at > world.now:
        return
    if state == FeedbackState.DUPLICATE and not earlier:
        state = FeedbackState.DECLINED
    for step in ([FeedbackState.NOW, FeedbackState.DONE] if state == FeedbackState.DONE and world.chance(0.5)
                 else [state]):
        target = _plan_target(world, decider) if step == FeedbackState.NOW else None
        if step == FeedbackState.NOW and target is None:
            step = FeedbackState.LATER  # nothing of theirs still under way to deliver it
        decisions.append((item, _decide(world, item, EVENT_OF[step], decider, at, target, earlier)))
        at += world.days(5, 60)
        if at > world.now:
            return


def _plan_target(world: World, decider: Person) -> tuple[Campaign, int | None] | None:
    """An open campaign the product manager is on (they must see it), and maybe its milestone that delivers it."""
    campaigns = [c for c in decider.campaigns if c.is_open]
    if not campaigns:
        return None
    campaign = world.pick(campaigns)
    milestones = [m for m in campaign.milestones if m.state != MilestoneState.CANCELLED]
    return campaign, (world.pick(milestones).id if milestones and world.chance(0.7) else None)


def _decide(world: World, item: dict[str, Any], event: str, decider: Person, at: datetime,
            target: tuple[Campaign, int | None] | None, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    """One decision, written on the item (its latest) and returned for its history, as ``feedback.services`` does."""
    transition = FEEDBACK_WORKFLOW.transition(event, item["state"])
    assert transition is not None, (event, item["state"])
    answer = words.ANSWERS[event]
    original = world.pick(earlier) if event == "duplicate" else None
    if original is not None:
        original["weight"] += item["weight"]
        answer = f"This repeats “{original['title']}” (#{original['id']}), which is followed up instead."
    if event != "done":  # "done" keeps what "now" planned it with
        item["milestone_id"] = target[1] if target else None
        item["planned_project_id"] = target[0].id if target else None
    row = {
        "feedback_id": item["id"], "from_state": item["state"], "to_state": transition.target, "answer": answer,
        "decided_by_id": decider.id, "decided_at": at,
        "milestone_id": item["milestone_id"] if event == "now" else None,
        "project_id": item["planned_project_id"] if event == "now" else None,
        "revisit_on": (at + world.days(30, 180)).date() if event == "later" else None,
        "reason": world.pick(words.DECLINE_REASONS) if event == "decline" else "",
        "duplicate_of_id": original["id"] if original else None,
    }
    item.update({
        "state": transition.target, "answer": answer, "decided_by_id": decider.id, "decided_at": at,
        "first_decided_at": item["first_decided_at"] or at, "updated_at": at, "version": item["version"] + 1,
        "revisit_on": row["revisit_on"], "decline_reason": row["reason"], "duplicate_of_id": row["duplicate_of_id"],
    })
    return row


def _decision_history(item: dict[str, Any], row: dict[str, Any], decider: Person) -> dict[str, Any]:
    event = EVENT_OF[row["to_state"]]
    transition = FEEDBACK_WORKFLOW.transition(event, row["from_state"])
    assert transition is not None
    return audit_row(row["decided_at"], decider, f"feedback.{event}", f"{transition.label}: “{item['title']}”",
                     "feedback", item["id"], item["project_id"], from_state=row["from_state"],
                     to_state=row["to_state"], details={"answer": row["answer"], "reason": row["reason"]})


# --- briefings and product updates ---------------------------------------------------------------

def build_briefings(world: World, count: int) -> None:
    """Briefings product managers gave sales teams over the last two years (and a few coming up), no decks."""
    presenters = world.with_role(Role.PRODUCT_MANAGER)
    audience = [p for p in world.people if p.active and p.role is not Role.PRODUCT_MANAGER]
    rows, products, attendees = [], [], []
    for _ in range(count):
        presenter = world.pick(presenters)
        owned = [p for p in world.products if presenter in p.owners] or world.products
        topics = world.rng.sample(owned, min(len(owned), world.pick((1, 1, 2))))
        region = world.pick(sorted(world.regions))
        held = world.today - world.days(-45, 720)
        team = f"{world.pick(words.CITIES)} {world.pick(words.SALES_TEAMS)}"
        row = {
            "id": world.bulk.next_id(Briefing.__table__),
            "title": f"{topics[0].name}: {world.pick(words.BRIEFING_TOPICS)}", "region_id": region,
            "sales_team": team, "held_on": held, "duration_minutes": world.pick((30, 45, 60, 90, 120)),
            "presenter_id": presenter.id, "guest_names": "", "key_points": words.KEY_POINTS, "notes": "",
            "material_url": "", "created_by_id": presenter.id,
            "created_at": world.at(min(held, world.today) - timedelta(days=1), 17), "version": 1,
        }
        row["updated_at"] = row["created_at"]
        rows.append(row)
        products += [{"briefing_id": row["id"], "product_id": p.id} for p in topics]
        came = world.rng.sample(audience, min(len(audience), world.number(2, 8)))
        attendees += [{"briefing_id": row["id"], "user_id": p.id} for p in came]
        for person in came:
            world.tell(person, row["created_at"], "briefing_logged", f"Briefing: {row['title']} — {date_label(held)}",
                       f"{presenter.name} briefed {team} ({world.regions[region]}) on "
                       f"{', '.join(p.name for p in topics)}. You are listed as an attendee.", f"/briefings/{row['id']}")
    world.bulk.insert(Briefing.__table__, rows)
    world.bulk.insert(briefing_products, products)
    world.bulk.insert(briefing_attendees, attendees)
    people = {p.id: p for p in world.people}
    world.audit(audit_row(r["created_at"], people[r["presenter_id"]], "briefing.logged",
                          f"Logged briefing “{r['title']}” for {r['sales_team']} ({world.regions[r['region_id']]}, "
                          f"{date_label(r['held_on'])})", "briefing", r["id"]) for r in rows)


#: Sellers told of each update (the services tell every seller; a sample keeps a huge set's inboxes in proportion).
TOLD_PER_UPDATE = 40


def build_updates(world: World, count: int) -> None:
    """Product updates over the past year, half asking for an acknowledgement, which many sellers gave."""
    sellers = world.sellers()
    rows, acks = [], []
    for _ in range(count):
        product = world.pick(world.products)
        kind = "retirement" if product.status == "retired" else world.pick([k for k in UPDATE_KINDS if k != "retirement"])
        publisher = world.pick(product.owners)
        published = world.now - world.days(1, 365) - timedelta(minutes=world.number(0, 600))
        row = {
            "id": world.bulk.next_id(ProductUpdate.__table__), "product_id": product.id, "kind": kind,
            "title": words.UPDATE_TITLES[kind].format(product=product.name),
            "body": f"What changes for {product.name}, and what to tell customers.",
            "region_id": world.pick(sorted(world.regions)) if kind == "region" else None,
            "requires_ack": world.chance(0.5), "published_by_id": publisher.id, "published_at": published,
        }
        rows.append(row)
        told = world.rng.sample(sellers, min(len(sellers), TOLD_PER_UPDATE))
        for person in told:
            subject = f"{product.name}: {row['title']}" + (" (please acknowledge)" if row["requires_ack"] else "")
            world.tell(person, published, "product_update", subject, row["body"], f"/updates/{row['id']}")
            if row["requires_ack"] and world.chance(0.6):
                acks.append({"update_id": row["id"], "user_id": person.id,
                             "acknowledged_at": world.between(published, published + timedelta(days=14))})
    world.bulk.insert(ProductUpdate.__table__, rows)
    world.bulk.insert(UpdateAcknowledgement.__table__, acks)
    people = {p.id: p for p in world.people}
    world.audit(audit_row(r["published_at"], people[r["published_by_id"]], "product_update.published",
                          f"Published “{r['title']}”" + (" (acknowledgement asked)" if r["requires_ack"] else ""),
                          "product_update", r["id"]) for r in rows)
