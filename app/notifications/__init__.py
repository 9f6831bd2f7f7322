"""Notifications: an event or reminder for one person, stored before it is shown or sent."""
