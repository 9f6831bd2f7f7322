"""Customers (accounts) as records: the one each commitment and feedback item points to."""
