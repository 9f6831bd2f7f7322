"""Pieces every feature shares: the clock, service errors, model mixins, form helpers."""
