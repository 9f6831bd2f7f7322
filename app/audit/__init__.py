"""The audit trail: who did what to which record, when, from which state to which."""
