"""The start page: my campaigns, my deadlines, what is overdue."""
