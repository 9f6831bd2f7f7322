"""Campaigns: their goal, budget, members, regions and lifecycle."""
