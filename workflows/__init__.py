"""Countersign's lifecycle rules as plain Python and data.

Nothing in this package imports Flask, SQLAlchemy or ``app``: the rules read like
a specification and are tested in milliseconds. The application asks these
modules whether a transition is allowed and what it should do; it never decides
that itself.
"""
