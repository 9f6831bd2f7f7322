"""Search across what one may see: campaigns, customers, commitments, feedback and briefings, in one box."""
