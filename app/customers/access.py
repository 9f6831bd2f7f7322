"""Who may see, record, edit and merge customers.

Customers are the company's accounts, not a campaign's: whoever sells, plans or manages sees them
all (what each customer page shows of commitments and feedback stays as restricted as those lists
are). A team member who does not sell sees none: for them a customer is *not found*.
"""

from __future__ import annotations

from flask import abort

from app.accounts.models import Role, User
from app.customers.models import Customer
from app.extensions import db


def sees_customers(user: User) -> bool:
    return user.role is not Role.TEAM_MEMBER or user.sales_rep


def may_create(user: User) -> bool:
    """Who records customers directly (a commitment or feedback form also finds or creates one)."""
    return user.is_admin or user.sells


def may_edit(user: User, customer: Customer) -> bool:
    return user.role in {Role.ADMIN, Role.SALES_MANAGER} or (customer.owner_id is not None
                                                             and customer.owner_id == user.id)


def may_merge(user: User) -> bool:
    return user.role in {Role.ADMIN, Role.SALES_MANAGER}


def may_sync(user: User) -> bool:
    """Who upserts customers and deals by CRM id: the integration's token belongs to one of them."""
    return user.role in {Role.ADMIN, Role.SALES_MANAGER}


def get_customer_or_404(user: User, customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id) if sees_customers(user) else None
    if customer is None:
        abort(404)
    return customer
