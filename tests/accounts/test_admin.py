"""Admins manage accounts and regions; nobody else sees those pages."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from app.regions.models import Region


def test_admin_pages_are_not_found_for_everyone_else(people, login):
    client = login(people["pm"])
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{people['pm'].id}", "/admin/regions/"):
        assert client.get(url).status_code == 404, url


def test_admin_creates_and_edits_an_account(people, login):
    admin = login(people["admin"])
    assert b"Priya Planner" in admin.get("/admin/users").data
    response = admin.post("/admin/users/new", data={
        "name": "New Person", "email": "new@example.com", "role": "product_manager", "active": "y",
        "password": "long enough password",
    })
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.com"))
    assert user.role is Role.PRODUCT_MANAGER and user.check_password("long enough password")
    admin.post(f"/admin/users/{user.id}", data={"name": "New Person", "email": "new@example.com", "role": "team_member",
                                                 "sales_rep": "y"})
    user = db.session.get(User, user.id)
    assert (user.role, user.active, user.sells) == (Role.TEAM_MEMBER, False, True)


def test_account_form_errors_are_shown_and_nothing_is_created(people, login):
    admin = login(people["admin"])
    page = admin.post("/admin/users/new", data={
        "name": "Dup", "email": people["pm"].email, "role": "team_member", "password": "short",
    }).get_data(as_text=True)
    assert "already exists" in page and "at least 12 characters" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.name == "Dup")) == 0


def test_admins_cannot_lock_themselves_out(people, login):
    admin = people["admin"]
    page = login(admin).post(f"/admin/users/{admin.id}", data={"name": admin.name, "email": admin.email, "role": "team_member"})
    assert "cannot remove your own admin access" in page.get_data(as_text=True)
    assert db.session.get(User, admin.id).role is Role.ADMIN


def test_admin_manages_regions(people, login):
    admin = login(people["admin"])
    admin.post("/admin/regions/", data={"code": "dach", "name": "DACH", "active": "y"})
    region = db.session.scalar(sa.select(Region))
    assert (region.code, region.active) == ("DACH", True)
    clash = admin.post("/admin/regions/", data={"code": "DACH", "name": "Other"})
    assert "already uses this code" in clash.get_data(as_text=True)
    admin.post(f"/admin/regions/{region.id}", data={"code": "DACH", "name": "Germany, Austria, Switzerland"})
    region = db.session.get(Region, region.id)
    assert (region.name, region.active) == ("Germany, Austria, Switzerland", False)
