"""Background work: the RQ queue, the worker and scheduler commands, and the admin page on them."""
