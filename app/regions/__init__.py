"""Sales regions, managed by admins and attached to campaigns."""
