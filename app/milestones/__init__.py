"""Milestones with deadlines and targets, and the tasks under them."""
