"""Briefings product gives sales teams, and the material shared in them."""
