"""Reminders: a stored next-due time per (milestone or task, person), swept by a periodic job."""
