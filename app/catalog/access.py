"""Who keeps which product, and finding a product, band or link by the ids in a URL.

Everyone reads the catalog; a product is kept by its own product managers (and admins). Pages
hide what the reader may not change (a 404), while the API answers 403 for a product the reader
can see but not keep. A band or link id of another product is a 404 in both, so ids cannot be
used to reach across products.
"""

from __future__ import annotations

from flask import abort

from app.accounts.models import Role, User
from app.catalog.models import PriceBand, Product, ProductLink
from app.core.errors import NotAllowed
from app.extensions import db


def can_add_products(user: User) -> bool:
    return user.role in {Role.PRODUCT_MANAGER, Role.ADMIN}


def can_edit(user: User, product: Product) -> bool:
    """A product is kept by its own product managers (and admins)."""
    return user.is_admin or (user.role is Role.PRODUCT_MANAGER and product.is_owned_by(user))


def require_editor(actor: User, product: Product) -> None:
    if not can_edit(actor, product):
        raise NotAllowed(f"Only the product managers of {product.name} (or an admin) keep it current.")


def get_product_or_404(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    return product if product is not None else abort(404)


def get_band_or_404(product: Product, band_id: int) -> PriceBand:
    band = next((b for b in product.bands if b.id == band_id), None)
    return band if band is not None else abort(404)


def get_link_or_404(product: Product, link_id: int) -> ProductLink:
    link = next((k for k in product.links if k.id == link_id), None)
    return link if link is not None else abort(404)
