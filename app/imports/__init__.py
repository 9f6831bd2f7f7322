"""Importing CRM deals (Salesforce, HubSpot, a generic CSV) into a campaign as customers and draft commitments."""
