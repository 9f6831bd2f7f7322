"""The demo data set: people of every role, regions, and campaigns in every state.

Loading is idempotent: people and regions are matched by email and code, and each
campaign by title, so running it twice changes nothing. Campaigns are built through
the real services, so their audit trails read as if people had done the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.catalog import services as catalog
from app.catalog.models import Product
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core import clock
from app.customers import services as customers
from app.customers.models import Customer
from app.demo.loop import date_back_commitments, load_loop
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationPreference
from app.projects import services as projects
from app.projects.models import Project
from app.regions import services as regions
from app.regions.models import Region
from app.reminders import services as reminders
from app.roadmap import services as roadmap
from app.teams import services as teams
from app.teams.models import Team
from workflows.campaigns import add_months
from workflows.project import ProjectState
from workflows.reminders import local

DEMO_PASSWORD = "countersign-demo"

PEOPLE = [
    ("admin@example.com", "Ada Admin", Role.ADMIN),
    ("sales@example.com", "Sam Seller", Role.SALES_MANAGER),
    ("sales2@example.com", "Giulia Romano", Role.SALES_MANAGER),
    ("pm@example.com", "Priya Planner", Role.PROJECT_MANAGER),
    ("pm2@example.com", "Jonas Weber", Role.PROJECT_MANAGER),
    ("product@example.com", "Pat Product", Role.PRODUCT_MANAGER),
    ("product2@example.com", "Mei Lin", Role.PRODUCT_MANAGER),
    ("team@example.com", "Tara Teammate", Role.TEAM_MEMBER),
    ("team2@example.com", "Luca Bianchi", Role.TEAM_MEMBER),
]
SALES_REPS = {"team2@example.com"}  # a team member who sells
#: Each demo person's notification settings (time zone, reminder hour, quiet hours, digest).
#: Tara has no quiet hours so that her first reminder email lands in the development
#: mailbox whatever the hour the demo is started; Giulia reads one digest a day.
SETTINGS: dict[str, dict[str, object]] = {
    "team": {"time_zone": "Europe/Rome", "quiet_start": 0, "quiet_end": 0},
    "team2": {"time_zone": "Europe/Rome"},
    "sales": {"time_zone": "Europe/London"},
    "sales2": {"time_zone": "Europe/Rome", "email_digest": True},
    "pm": {"time_zone": "Europe/Berlin", "reminder_hour": 8, "lead_days": "14, 7, 1"},
    "pm2": {"time_zone": "Europe/Berlin"},
    "product": {"time_zone": "America/New_York"},
    "product2": {"time_zone": "Asia/Singapore"},
}
#: The demo's campaigns have been running for weeks: their reminders start this long ago, so
#: the first sweep sends what fell due in that time (one reminder per item, the latest).
REMINDERS_SINCE = timedelta(days=8)
REGIONS = [
    ("EMEA-S", "Southern Europe"),
    ("DACH", "Germany, Austria, Switzerland"),
    ("NORDICS", "Nordics"),
    ("UKI", "UK & Ireland"),
    ("NA", "North America"),
    ("APAC", "Asia Pacific"),
]
#: The demo's sales teams: (name, region, members). Briefings written to these names become theirs.
TEAMS = [
    ("Milan field sales", "EMEA-S", ["sales2", "team2"]),
    ("London enterprise", "UKI", ["sales"]),
    ("Munich enterprise team", "DACH", []),
    ("Stockholm inside sales", "NORDICS", []),
]


@dataclass
class DemoSummary:
    people_created: int = 0
    regions_created: int = 0
    campaigns_created: list[str] = field(default_factory=list)
    commitments_created: int = 0
    #: Feedback, briefings and product updates (app/demo/loop.py).
    loop_created: int = 0
    teams_created: int = 0


def load_demo(today: date) -> DemoSummary:
    """Create whatever of the demo set is missing; flushes, the caller commits."""
    summary = DemoSummary()
    first_new_notification = (db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0) + 1
    people: dict[str, User] = {}
    admin = accounts.find_by_email(PEOPLE[0][0])
    for email, name, role in PEOPLE:
        user = accounts.find_by_email(email)
        if user is None:
            user = accounts.create_user(
                None, accounts.UserInput(email=email, name=name, role=role, sales_rep=email in SALES_REPS), DEMO_PASSWORD
            )
            summary.people_created += 1
        people[email.split("@")[0]] = user
    admin = people["admin"]
    area: dict[str, Region] = {}
    for code, name in REGIONS:
        region = db.session.scalar(sa.select(Region).where(Region.code == code))
        if region is None:
            region = regions.save_region(admin, None, code, name, True)
            summary.regions_created += 1
        area[code] = region
    for key, values in SETTINGS.items():
        if summary.people_created and db.session.get(NotificationPreference, people[key].id) is None:
            notifications.save_preferences(people[key], **values)
    summary.teams_created = _teams(people, area)
    products = _catalog(today, people, area)
    for builder in (_upgrade, _quota_push, _pursuit, _launch, _completed, _on_hold):
        title = builder.__doc__ or ""
        if db.session.scalar(sa.select(Project.id).where(Project.title == title)) is None:
            builder(title, today, people, area)
            summary.campaigns_created.append(title)
    _customers(people, area)
    existing = set(db.session.scalars(sa.select(Customer.name).join(Commitment, Commitment.customer_id == Customer.id)))
    summary.commitments_created = _commitments(today, people, area, products)
    summary.commitments_created += _replan(today, people, area, products)
    date_back_commitments(today, set(db.session.scalars(
        sa.select(Customer.name).join(Commitment, Commitment.customer_id == Customer.id))) - existing)
    summary.loop_created = load_loop(today, people, area, products)
    db.session.flush()
    _start_reminders(summary.campaigns_created)
    _history_not_emailed(first_new_notification)
    return summary


def _teams(people: dict[str, User], area: dict[str, Region]) -> int:
    """The sales teams that are missing, with their members (each seller in one team, so in its region)."""
    created = 0
    for name, code, members in TEAMS:
        if db.session.scalar(sa.select(Team.id).where(Team.name == name)) is not None:
            continue
        team = teams.save_team(people["admin"], None, name, area[code].id)
        if members:
            teams.add_members(people["admin"], team, [people[key].id for key in members])
        created += 1
    return created


@dataclass(frozen=True)
class QuietPerson:
    email: str
    time_zone: str
    until: datetime  # naive UTC: when their quiet hours end and their held emails go
    local_until: datetime  # the same moment on their own clock


def quiet_people(now: datetime) -> list[QuietPerson]:
    """The demo people inside their quiet hours at ``now``: their reminder emails wait."""
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.email.in_([p[0] for p in PEOPLE])))}
    quiet = notifications.quiet_now(users, now)
    prefs = notifications.preferences_for(quiet)
    return sorted((QuietPerson(users[uid].email, prefs[uid].time_zone, until,
                               local(until, prefs[uid].reminder_prefs)) for uid, until in quiet.items()),
                  key=lambda person: (person.until, person.email))


def _history_not_emailed(first_id: int) -> None:
    """The demo's past (launches, assignments, decisions) is in the inboxes, but nobody is
    emailed weeks of history at once: only reminders and what people do from now on are."""
    db.session.execute(
        sa.update(Notification).where(Notification.id >= first_id, Notification.email_status == "pending")
        .values(email_status="none").execution_options(synchronize_session=False)
    )


def _start_reminders(titles: list[str]) -> None:
    """Begin the new campaigns' reminder schedules ``REMINDERS_SINCE`` ago (see there)."""
    ids = set(db.session.scalars(sa.select(Project.id).where(Project.title.in_(titles))))
    if not ids:
        return
    reminders.sync_projects(ids, since=clock.now() - REMINDERS_SINCE)


#: The demo's customers: (name, CRM, its id there, region, owning seller, website). Most come from a CRM;
#: "Globex UK" was typed in by hand and is a possible duplicate of "Globex Ltd" for an admin to merge.
CUSTOMERS = [
    ("Acme Retail", "salesforce", "0015g00000ACMERT", "EMEA-S", "sales", "acme-retail.example"),
    ("Globex Ltd", "hubspot", "9001", "UKI", "sales", "globex.example"),
    ("Fjord Energy", "salesforce", "0015g00000FJORDE", "NORDICS", "sales", "fjord-energy.example"),
    ("Sakura Trading", "hubspot", "9002", "APAC", "sales2", "sakura-trading.example"),
    ("Bergmann AG", "salesforce", "0015g00000BERGAG", "DACH", "sales", "bergmann.example"),
    ("Rossi Moda", None, None, "EMEA-S", "sales2", "rossimoda.example"),
    ("Globex UK", None, None, "UKI", None, ""),
]


def _customers(people: dict[str, User], area: dict[str, Region]) -> None:
    """The demo's customers, created or brought back to these details (idempotent, as a CRM sync is)."""
    for name, source, external_id, region, owner, domain in CUSTOMERS:
        data = customers.CustomerInput(name=name, region_id=area[region].id,
                                       owner_id=people[owner].id if owner else None, domain=domain)
        if source is not None and external_id is not None:
            customers.upsert_external(source, external_id, data.fields(), actor=people["admin"])
        elif customers.find_by_name(name) is None:
            customers.create_customer(data, actor=people["admin"])


def _has_commitment(customer: str) -> bool:
    return db.session.scalar(sa.select(Commitment.id).join(Commitment.customer).where(Customer.name == customer)
                             .limit(1)) is not None


def _replan(today: date, people: dict[str, User], area: dict[str, Region], products: dict[str, Product]) -> int:
    """A promise that depends on a milestone, then a re-plan that moves the milestone past it: at risk."""
    customer = "Bergmann AG"
    if _has_commitment(customer):
        return 0
    campaign = db.session.scalars(sa.select(Project).where(Project.title == "DACH Q-push: +20% revenue")).one()
    milestone = next(m for m in campaign.milestones if m.title == "Quota reached")
    pro = products["Northwind Pro"]
    commitment = commitments.create_commitment(campaign.owner, campaign, commitments.CommitmentInput(
        customer=customer, product_id=pro.id, region_id=area["DACH"].id,
        promise="Pro tier for the Munich sales floor, with the quota-push discount",
        promised_date=milestone.due_date + timedelta(days=10), unit_price=Decimal("70.00"), quantity=90,
        band_id=next(b.id for b in pro.bands if b.tier == "Pro"), milestone_id=milestone.id,
    ))
    commitments.fire(campaign.owner, commitment, "submit")
    commitments.fire(pro.owners[0], commitment, "approve")
    roadmap.replan(people["pm"], campaign, [roadmap.MilestoneEdit(
        milestone.id, milestone.due_date + timedelta(days=21), milestone.target_value, milestone.version,
    )], "Two distributors signed late: the quota lands three weeks later")
    return 1


def _catalog(today: date, people: dict[str, User], area: dict[str, Region]) -> dict[str, Product]:
    """Three products: one to sell everywhere but APAC, one not launched yet, one retired."""
    specs = [
        ("Northwind Pro", "available", None, "product", "Cloud CRM for mid-sized sales teams.",
         "Single sign-on and SCIM\nPipeline forecasting\nEU data residency",
         "Half the per-seat price of the market leader\nForecasts included, not an add-on",
         [("Standard", "40", "32"), ("Pro", "80", "64"), ("Enterprise", "140", "110")],
         {"EMEA-S": ("sellable", ""), "DACH": ("sellable", ""), "UKI": ("sellable", ""), "NA": ("sellable", ""),
          "NORDICS": ("planned", 120), "APAC": ("not_allowed", "No APAC hosting region yet: data residency")}),
        ("Atlas Analytics", "planned", 90, "product2", "Self-service analytics on top of Northwind data.",
         "Drag-and-drop dashboards\nScheduled reports",
         "Works on live CRM data, no export needed",
         [("Team", "25", "20")],
         {"NORDICS": ("planned", 90), "NA": ("planned", 90), "DACH": ("not_allowed", "Awaiting BSI C5 attestation")}),
        ("Legacy Reports", "retired", None, "product", "The old reporting module, replaced by Atlas Analytics.",
         "", "", [], {"EMEA-S": ("sellable", "")}),
    ]
    products: dict[str, Product] = {}
    for name, status, ready_in, owner_key, summary, traits, differences, bands, coverage in specs:
        product = db.session.scalar(sa.select(Product).where(Product.name == name))
        if product is None:
            owner = people[owner_key]
            product = catalog.create_product(owner, catalog.ProductInput(
                name=name, status=status, summary=summary, key_traits=traits, differences=differences,
                available_from=today + timedelta(days=ready_in) if ready_in else None, owner_ids=[owner.id],
            ))
            for tier, list_price, minimum in bands:
                catalog.save_band(owner, product, None, tier, Decimal(list_price), Decimal(minimum), "per seat / month")
            for code, (status, detail) in coverage.items():
                planned = today + timedelta(days=detail) if status == "planned" else None
                reason = detail if status == "not_allowed" else ""
                catalog.set_coverage(owner, product, area[code], status, reason, planned)  # type: ignore[arg-type]
        products[name] = product
    return products


def _commitments(today: date, people: dict[str, User], area: dict[str, Region], products: dict[str, Product]) -> int:
    """Commitments in every interesting state, matched by customer so a second load adds none."""
    def project(title: str) -> Project:
        return db.session.scalars(sa.select(Project).where(Project.title == title)).one()

    def band(product: Product, tier: str) -> int:
        return next(b.id for b in product.bands if b.tier == tier)

    pro, atlas = products["Northwind Pro"], products["Atlas Analytics"]
    specs = [
        ("Acme Retail", "Northwind Pro tier upgrade", pro, "EMEA-S", "Pro tier for 300 seats from next month",
         30, "72.00", 300, band(pro, "Pro"), ["submit", "approve"]),
        ("Globex Ltd", "Globex account pursuit", pro, "UKI", "Enterprise tier with SSO for 1,200 seats",
         45, "105.00", 1200, band(pro, "Enterprise"), ["submit"]),
        ("Fjord Energy", "Atlas Analytics launch", atlas, "NORDICS", "Atlas dashboards for the trading desk",
         60, "22.00", 80, band(atlas, "Team"), ["submit"]),
        ("Sakura Trading", "APAC partner pursuit", pro, "APAC", "Northwind Pro for the Tokyo office",
         40, "80.00", 150, band(pro, "Pro"), ["submit", "reject"]),
    ]
    created = 0
    for customer, title, product, region, promise, days, price, quantity, band_id, steps in specs:
        if _has_commitment(customer):
            continue
        campaign = project(title)
        seller = campaign.owner
        commitment = commitments.create_commitment(seller, campaign, commitments.CommitmentInput(
            customer=customer, product_id=product.id, region_id=area[region].id, promise=promise,
            promised_date=today + timedelta(days=days), unit_price=Decimal(price), quantity=quantity, band_id=band_id,
        ))
        signer = product.owners[0]
        for event in steps:
            actor = seller if event == "submit" else signer
            note = "Not sellable in APAC yet: no hosting region there" if event == "reject" else ""
            # Over a blocker (APAC is not sellable) the seller submits only saying why; elsewhere it is not asked.
            why = "The partner asked for it in writing: product to say whether it can be kept" if event == "submit" else ""
            commitments.fire(actor, commitment, event, reason=note, justification=why)
        created += 1
    return created


def _input(title: str, template_key: str, start: date, people: dict[str, User], regions_: list[Region],
           target: float | None = None, budget: str = "50000", statement: str = "") -> tuple[projects.ProjectInput, object]:
    template = projects.templates_by_key()[template_key]
    data = projects.ProjectInput(
        title=title,
        goal_statement=statement,
        goal_metric=template.goal_metric,
        goal_unit=template.goal_unit,
        goal_baseline=template.goal_baseline,
        goal_target=template.goal_target if target is None else target,
        budget=Decimal(budget),
        start_date=start,
        end_date=template.default_end(start),
        region_ids=[r.id for r in regions_],
        project_manager_id=people["pm"].id,
        product_manager_ids=[people["product"].id],
        member_ids=[people["team"].id, people["team2"].id],
    )
    return data, template


def _launch_through(project: Project, people: dict[str, User], until: str) -> None:
    """Walk a campaign along its lifecycle as its owner and project manager would."""
    steps = [("submit", project.owner), ("plan", people["pm"]), ("launch", people["pm"])]
    for event, actor in steps:
        projects.fire_transition(actor, project, event)
        if project.state == until:
            return


def _finish_past(project: Project, today: date, people: dict[str, User], leave_overdue: int = 0) -> None:
    """Mark past milestones done, all but the last ``leave_overdue`` (they show up as overdue)."""
    past = [m for m in project.milestones if m.due_date < today]
    for milestone in past[: len(past) - leave_overdue]:
        for task in milestone.tasks:
            milestones.set_task_done(people["pm"], task, True)
        milestones.fire_milestone_transition(people["pm"], milestone, "complete")


def _tasks(milestone: Milestone, people: dict[str, User], items: list[tuple[str, str, int]]) -> None:
    for title, who, days_before in items:
        milestones.create_task(
            people["pm"], milestone,
            milestones.TaskInput(title=title, assignee_id=people[who].id,
                                 due_date=milestone.due_date - timedelta(days=days_before)),
        )


def _upgrade(title: str, today: date, people: dict[str, User], area: dict[str, Region]) -> None:
    """Northwind Pro tier upgrade"""
    start = add_months(today, -13)
    data, template = _input(
        title, "upgrade_campaign", start, people, [area["EMEA-S"], area["DACH"]], budget="120000",
        statement="Move 50% of current Northwind customers to the Pro tier within two years.",
    )
    project = projects.launch_project(people["sales"], data, template)  # type: ignore[arg-type]
    _tasks(project.milestones[1], people, [("Write the email copy", "team", 7), ("Build the segment list", "team2", 3)])
    _tasks(project.milestones[3], people, [("Prepare the year-one report", "team", 5)])
    _launch_through(project, people, ProjectState.ACTIVE)
    _finish_past(project, today, people, leave_overdue=1)
    for months, value in ((3, 4.0), (6, 11.5), (9, 18.0), (12, 26.0)):
        projects.report_actual(people["sales"], project, value, add_months(start, months), "From the CRM export")
    projects.record_expense(people["pm"], project, Decimal("18500"), start + timedelta(days=20), "Email agency")
    projects.record_expense(people["pm"], project, Decimal("42000"), add_months(start, 6), "Upgrade discounts")


def _quota_push(title: str, today: date, people: dict[str, User], area: dict[str, Region]) -> None:
    """DACH Q-push: +20% revenue"""
    start = add_months(today, -3)
    data, template = _input(title, "quota_push", start, people, [area["DACH"]], budget="30000")
    project = projects.launch_project(people["sales2"], data, template)  # type: ignore[arg-type]
    _tasks(project.milestones[-1], people, [("Weekly pipeline review", "team2", 14)])
    _launch_through(project, people, ProjectState.ACTIVE)
    _finish_past(project, today, people)
    for months, value in ((1, 3.0), (2, 6.5), (3, 11.0)):
        projects.report_actual(people["sales2"], project, value, add_months(start, months))
    projects.record_expense(people["pm"], project, Decimal("9000"), start + timedelta(days=10), "Partner incentives")


def _pursuit(title: str, today: date, people: dict[str, User], area: dict[str, Region]) -> None:
    """Globex account pursuit"""
    data, template = _input(title, "client_pursuit", today + timedelta(days=7), people, [area["UKI"]], budget="15000")
    project = projects.launch_project(people["sales"], data, template)  # type: ignore[arg-type]
    _tasks(project.milestones[0], people, [("Map the buying committee", "team", 3)])


def _launch(title: str, today: date, people: dict[str, User], area: dict[str, Region]) -> None:
    """Atlas Analytics launch"""
    data, template = _input(title, "product_launch", today + timedelta(days=14), people,
                            [area["NORDICS"], area["NA"]], budget="200000")
    project = projects.launch_project(people["sales"], data, template)  # type: ignore[arg-type]
    projects.fire_transition(people["sales"], project, "submit")


def _completed(title: str, today: date, people: dict[str, User], area: dict[str, Region]) -> None:
    """Spring upsell to Enterprise"""
    start = add_months(today, -9)
    data, template = _input(title, "quota_push", start, people, [area["EMEA-S"]], target=15, budget="25000")
    project = projects.launch_project(people["sales2"], data, template)  # type: ignore[arg-type]
    _launch_through(project, people, ProjectState.ACTIVE)
    _finish_past(project, today, people)
    projects.report_actual(people["sales2"], project, 16.5, add_months(start, 6), "Closed above target")
    projects.fire_transition(people["pm"], project, "complete")


def _on_hold(title: str, today: date, people: dict[str, User], area: dict[str, Region]) -> None:
    """APAC partner pursuit"""
    start = add_months(today, -1)
    data, template = _input(title, "client_pursuit", start, people, [area["APAC"]], budget="20000")
    project = projects.launch_project(people["sales"], data, template)  # type: ignore[arg-type]
    _launch_through(project, people, ProjectState.ACTIVE)
    projects.fire_transition(people["pm"], project, "hold", "Partner reorganising; resume in the new year")
