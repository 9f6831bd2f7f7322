"""Customer feedback from sales, and product's triage of it."""
