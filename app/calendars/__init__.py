"""Calendar feeds: secret links to iCalendar (RFC 5545) feeds of milestones, tasks and promised dates."""
