"""Signed webhooks out: every published event, POSTed to the endpoints admins register."""
