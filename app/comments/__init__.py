"""Comments with @mentions on campaigns, milestones, commitments and feedback items."""
