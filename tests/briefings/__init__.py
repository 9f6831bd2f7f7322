"""Briefings: logging them, their decks on disk, the pages. Shared builders live here."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

from app.accounts.models import User
from app.briefings import services
from app.briefings.models import Briefing
from app.catalog.models import Product
from app.core import clock
from app.extensions import db
from app.regions.models import Region

#: The smallest file every PDF reader opens: one empty page.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def pptx() -> bytes:
    """A minimal PowerPoint deck's shape: a ZIP with the parts that name it a presentation."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("ppt/presentation.xml", '<?xml version="1.0"?><p:presentation/>')
        archive.writestr("ppt/slides/slide1.xml", '<?xml version="1.0"?><p:sld/>')
    return buffer.getvalue()


def odf(mimetype: str = "application/vnd.oasis.opendocument.presentation") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def briefing_input(region: Region, products: list[Product], presenter: User, **overrides: Any) -> services.BriefingInput:
    fields: dict[str, Any] = {
        "title": "Northwind Pro pricing for Q3",
        "region_id": region.id,
        "sales_team": "Milan field sales",
        "held_on": clock.today() - timedelta(days=2),
        "duration_minutes": 90,
        "presenter_id": presenter.id,
        "product_ids": [p.id for p in products],
        "attendee_ids": [],
        "guest_names": "Marco Rossi (partner)\n\n  Giulia Bianchi  ",
        "key_points": "- New Pro band from 1 July\n• SSO sellable in DACH\n",
        "notes": "Asked about volume discounts.",
        "material_url": "",
    }
    fields.update(overrides)
    return services.BriefingInput(**fields)


def log(actor: User, region: Region, products: list[Product], **overrides: Any) -> Briefing:
    briefing = services.log_briefing(actor, briefing_input(region, products, actor, **overrides))
    db.session.commit()
    return briefing
