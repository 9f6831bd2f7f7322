"""The catalog published read-only to other systems (an intranet page, a CRM widget) through named tokens."""
