"""Campaigns as a whole: the pages and the API records that show what the core-domain features
(projects, milestones, commitments, roadmap) say about a campaign, composed above all of them so that
none of them imports a feature built on it. Nothing imports this package but the app factory."""
