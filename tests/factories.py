"""factory_boy factories for the few records tests build directly (campaigns go through services)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from app.accounts.models import Role, User
from app.customers.models import Customer
from app.customers.names import normalise
from app.extensions import db
from app.regions.models import Region

PASSWORD = "correct horse battery"
# Hashing once keeps the suite fast: scrypt is slow on purpose.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - factory_boy wants a callable
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.TEAM_MEMBER
    active = True
    password_hash = _PASSWORD_HASH


class RegionFactory(_Base):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    active = True


class CustomerFactory(_Base):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    name_key = factory.LazyAttribute(lambda customer: normalise(customer.name))
