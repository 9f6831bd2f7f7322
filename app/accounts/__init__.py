"""People: users and their roles, signing in, personal API tokens."""
