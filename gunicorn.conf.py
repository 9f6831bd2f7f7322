"""Gunicorn reads this file from the folder it starts in (``gunicorn wsgi:app``), or from ``-c``.

- Its access log (``--access-logfile -``) never shows a calendar link's secret token
  (``app.logs.GunicornLogger``), names each request's id, and is JSON with ``LOG_FORMAT=json``.
- ``/metrics`` adds up every worker's counts: each worker writes them to files in
  ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode). The systemd unit names a
  directory of its own (``RuntimeDirectory``); without one, this file makes a fresh one for this
  server and removes it on exit. Either way it is emptied when the server starts (counts of an
  earlier run would be added to this one's), and a worker that exits is marked dead.
- The command line (or the unit) says where to listen and how many workers: ``--bind``,
  ``--workers``. Without them: ``GUNICORN_BIND`` or 127.0.0.1:8000, and ``GUNICORN_WORKERS`` or
  two per CPU core plus one.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

logger_class = "app.logs.GunicornLogger"
# The combined log format, and the request's id (app/ops/requestid.py) last.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# Behind nginx, which buffers slow clients: a request that takes longer than this is a stuck worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# A browser's keep-alive connection to nginx ends there; nginx's to gunicorn are short.
keepalive = 5

# Set here, before the app is imported by any worker: prometheus-client chooses its mode at import.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="countersign-metrics-")


def on_starting(server):
    """Empty the metrics directory: its files are the counts of a server that no longer runs."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """A worker exited (a restart, a crash, --max-requests): its live gauges stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
