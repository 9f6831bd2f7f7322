"""Words the large data set is made of (app/demo/large.py): names, products, customers, phrases.

Plain data, kept apart so the builder reads as what it builds. Every phrase fits the form field
it ends up in (titles within 160 or 200 characters, no control characters), with room for the
numbers and names the builder adds.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Adele", "Ahmed", "Aiko", "Alba", "Amara", "Anders", "Anouk", "Arjun", "Astrid", "Bea", "Bilal", "Bruno",
    "Camille", "Carlos", "Chiara", "Chloé", "Dario", "Dmitri", "Elena", "Elif", "Emeka", "Erik", "Fatima",
    "Felix", "Freya", "Gabriel", "Greta", "Hana", "Hugo", "Ines", "Ivan", "Jana", "Javier", "Jens", "Jin",
    "Julia", "Kai", "Karim", "Keiko", "Lars", "Leila", "Lena", "Liam", "Lucía", "Malik", "Marta", "Mateo",
    "Maya", "Mehmet", "Mia", "Nadia", "Niko", "Noor", "Olga", "Omar", "Paula", "Pedro", "Rafael", "Rania",
    "Ravi", "Rosa", "Ruth", "Samir", "Sara", "Sofia", "Sven", "Tariq", "Tomás", "Ula", "Valentina", "Wei",
    "Yara", "Yusuf", "Zoë",
)
LAST_NAMES = (
    "Abe", "Andersen", "Barros", "Becker", "Bianchi", "Brennan", "Castro", "Chen", "Costa", "Dąbrowski",
    "Demir", "Dubois", "Eriksen", "Fischer", "Fontaine", "García", "Hansen", "Haddad", "Ibrahim", "Ivanova",
    "Jensen", "Kaya", "Kim", "Kowalski", "Laurent", "Lindqvist", "López", "Mäkinen", "Martin", "Meyer",
    "Moreau", "Müller", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Pereira", "Petrov", "Quinn",
    "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Sørensen", "Tanaka", "Torres", "Varga", "Vogel",
    "Wagner", "Walsh", "Yamamoto", "Yilmaz", "Zhang", "Zimmermann",
)

#: Regions added to the demo's six: (code, name).
REGIONS = (
    ("BENELUX", "Benelux"), ("FR", "France"), ("IBERIA", "Spain & Portugal"), ("CEE", "Central & Eastern Europe"),
    ("MEA", "Middle East & Africa"), ("LATAM", "Latin America"), ("ANZ", "Australia & New Zealand"),
    ("JP", "Japan"),
)

#: Products added to the demo's three: (name, status, summary, tiers as (tier, list price, minimum)).
PRODUCTS = (
    ("Contoso Hub", "available", "The customer portal: tickets, invoices and renewals in one place.",
     (("Starter", 18, 14), ("Business", 36, 29), ("Enterprise", 72, 58))),
    ("Fabrikam Insight", "available", "Revenue analytics for sales leaders.",
     (("Team", 30, 24), ("Department", 55, 44))),
    ("Tailspin Mobile", "available", "The field sales app, offline first.", (("Per user", 12, 9),)),
    ("Litware Sign", "available", "Electronic signatures with a legal audit trail.",
     (("Basic", 8, 6), ("Pro", 16, 13), ("Enterprise", 29, 23))),
    ("Adatum Connect", "beta", "Integrations with ERP systems, managed for you.", (("Connector", 400, 320),)),
    ("Woodgrove Pay", "available", "Subscription billing and collections.", (("Growth", 250, 200), ("Scale", 900, 720))),
    ("Proseware CPQ", "planned", "Configure, price and quote for complex deals.", (("Seat", 60, 48),)),
    ("Lucerne Voice", "available", "Call recording and coaching for inside sales.", (("Seat", 22, 17),)),
    ("Trey Archive", "retired", "Long-term storage of closed deals, replaced by Contoso Hub.", (("Legacy", 5, 4),)),
)
TRAITS = "Single sign-on and SCIM\nEU and US data residency\nOpen API with webhooks\n99.9% uptime commitment"
DIFFERENCES = "Priced per seat, no platform fee\nLive in weeks, not months"

CUSTOMERS = (
    "Acme Logistics", "Alpine Foods", "Atlas Shipping", "Aurora Health", "Baltic Timber", "Bluewater Hotels",
    "Brightline Ltd", "Cedar Insurance", "Coastal Energy", "Copperfield Mining", "Delta Textiles", "Evergreen Bank",
    "Falcon Airlines", "Fjordline Ferries", "Granite Construction", "Harbor Freight Co", "Helios Solar",
    "Horizon Telecom", "Iberia Motors", "Ironclad Security", "Juniper Retail", "Keystone Pharma", "Lakeside Dairy",
    "Lumen Media", "Maple Software", "Meridian Travel", "Nordic Steel", "Northstar Grocers", "Oakridge University",
    "Orchid Cosmetics", "Pacific Fisheries", "Pinnacle Consulting", "Quantum Labs", "Redwood Publishing",
    "Riverside Clinics", "Sakura Electronics", "Sapphire Jewellers", "Summit Outdoor", "Tidewater Ports",
    "Union Chemicals", "Vanguard Legal", "Vertex Engineering", "Willow Home", "Zenith Automotive",
)
CITIES = ("Milan", "Munich", "Stockholm", "London", "Boston", "Singapore", "Paris", "Madrid", "Warsaw", "Dubai",
          "São Paulo", "Sydney", "Tokyo", "Amsterdam", "Vienna", "Toronto")
SALES_TEAMS = ("field sales", "inside sales", "enterprise team", "partner team", "key accounts", "SMB desk")

#: How a campaign is named, by template: "{product} {phrase}".
CAMPAIGN_PHRASES = {
    "upgrade_campaign": ("tier upgrade", "move to Enterprise", "renewal upgrade drive"),
    "quota_push": ("Q-push", "quarter-end push", "revenue sprint"),
    "client_pursuit": ("pursuit", "account win", "strategic pursuit"),
    "product_launch": ("launch", "go-to-market", "market entry"),
}
GOAL_STATEMENTS = {
    "upgrade_campaign": "Move current customers to the new tier before their renewals come up.",
    "quota_push": "Close the quarter above plan with targeted offers to existing accounts.",
    "client_pursuit": "Win the account against the incumbent with a proof of value.",
    "product_launch": "Bring the product to market in the region and win its first reference customers.",
}
#: Milestones added after a template's own, so a campaign has as many as the size asks for.
MILESTONE_PHRASES = (
    "Pricing approved by finance", "Partner enablement session held", "Reference customer signed",
    "Pipeline review with the regional lead", "Offer letters sent to target accounts", "Webinar delivered",
    "Case study published", "Renewal list cleaned up", "Trade fair follow-ups done", "Regional roadshow completed",
    "Executive sponsor briefing", "Win-loss review", "Contract templates localised", "Demo environment refreshed",
    "Customer advisory board met", "Mid-campaign retrospective", "Discount approvals reviewed",
    "Competitive battlecard updated", "Sales kick-off module recorded", "Forecast checkpoint",
)
TASK_PHRASES = (
    "Draft the email copy", "Build the target account list", "Book the venue", "Update the CRM segment",
    "Prepare the slide deck", "Call the top ten accounts", "Collect the signed order forms", "Brief the partners",
    "Check the price list", "Translate the offer", "Review the contract terms", "Schedule the follow-up calls",
    "Export the pipeline report", "Write the FAQ for sellers", "Ask legal to review", "Record the demo video",
    "Send the survey", "Reconcile the spend", "Chase the missing signatures", "Plan the next wave",
)
EXPENSES = ("Email agency", "Event booth", "Partner incentives", "Upgrade discounts", "Paid search", "Printed material",
            "Travel to customer workshops", "Webinar platform", "Translation", "Customer dinner")
HOLD_REASONS = ("Budget frozen until the next quarter", "Waiting for the new price list",
                "Key account reorganising; resume after their merger", "Product readiness slipped")
CANCEL_REASONS = ("The customer chose another vendor", "Merged into a larger campaign",
                  "Market conditions changed", "Budget withdrawn by the region")
REPLAN_REASONS = ("Customer asked to move the workshop", "Legal review took longer than planned",
                  "Two distributors signed late", "Holiday season: decisions slip into January",
                  "Product release moved by two weeks", "Regional lead changed")
MILESTONE_CANCEL_REASONS = ("No longer needed after the re-plan", "Folded into the next checkpoint")

PROMISES = ("{tier} tier for {n} seats from next quarter", "{tier} tier with single sign-on for {n} seats",
            "{n} licences with onboarding included", "Rollout to {n} users with a dedicated success manager")
REJECTIONS = ("Not sellable in that region yet", "Price below the band's minimum without a reason",
              "Promised before the roadmap can deliver it")
CHANGE_REQUESTS = ("Add the discount reason", "Split the order by legal entity", "Check the promised date")

FEEDBACK_TITLES = {
    "feature_request": ("Export to Excel with formulas", "Single sign-on with Okta", "A mobile approval flow",
                        "Bulk edit of records", "Custom fields on quotes", "API access for partners"),
    "problem": ("Reports time out at month end", "Invoices show the wrong VAT", "Sync with the ERP stalls",
                "Search misses accented names"),
    "market_appetite": ("Strong demand for a local data centre", "Retail chains ask for a franchise model",
                        "Public sector wants a framework contract"),
    "competitor_intel": ("Rival bundles analytics for free", "Competitor offers an on-premises edition",
                         "A new entrant undercuts on price"),
    "pricing": ("Starter tier too dear for small teams", "Customers want annual billing in local currency",
                "Volume discount steps are too coarse"),
}
SOURCES = ("CIO, at the quarterly review", "Head of sales operations", "Procurement lead", "IT manager, in the demo",
           "Lost to a cheaper rival", "Support ticket", "Partner account manager", "CFO, on the renewal call")
ANSWERS = {
    "now": "Planned: it ships with the milestone named here.",
    "later": "Not this quarter; we look at it again on the revisit date.",
    "decline": "We will not build this: it does not fit the product's direction.",
    "duplicate": "This repeats an earlier request, which is followed up instead.",
    "done": "Done: it is in the current release.",
}
DECLINE_REASONS = ("Too few customers need it", "A partner covers it", "Conflicts with our security model")

BRIEFING_TOPICS = ("pricing and the upgrade offer", "what is new this quarter", "competitive positioning",
                   "the roadmap for the next two quarters", "objection handling", "regional availability")
KEY_POINTS = "New price bands from next month\nWhat we may promise about dates\nHow to answer the competitor"
UPDATE_TITLES = {
    "pricing": "New price bands for {product}", "region": "{product} now sellable in more regions",
    "launch": "{product} is generally available", "feature": "{product}: what shipped this month",
    "other": "{product}: updated sales material", "retirement": "{product}: no new contracts",
}
CALENDAR_NAMES = ("Work calendar on my phone", "Outlook at the office", "Google Calendar", "Team wall screen")
