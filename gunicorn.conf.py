"""Gunicorn reads this file from the folder it starts in (``gunicorn wsgi:app``).

Its access log (``--access-logfile -``) then never shows a calendar link's secret token.
"""

logger_class = "app.logs.GunicornLogger"
