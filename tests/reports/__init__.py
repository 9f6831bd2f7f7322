"""Tests of the management reports: pure figures, charts and CSV, the aggregate services, the page and the API."""
