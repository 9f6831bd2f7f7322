"""/readyz and /metrics under gunicorn with two workers: every worker's counts add up in one scrape.

A real ``gunicorn -c gunicorn.conf.py --workers 2`` on a free port, on this run's database and on the
test's clock (running, handed over as ``TEST_CLOCK``, as tests/jobs hands it to its workers).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.ops.helpers import runs_finished
from tests.ops.test_metrics import samples

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "g" * 40
BATCH = 16


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def gunicorn(app, clock, tmp_path):
    """The server's base URL, its metrics directory and its process, on the test's running clock."""
    with clock.running() as clock_start:
        runs_finished(clock.now())
        port, metrics_dir = _free_port(), tmp_path / "metrics"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "COUNTERSIGN_"))}
        env.update({"COUNTERSIGN_ENV": "testing", "COUNTERSIGN_INSTANCE": str(tmp_path / "instance"),
                    "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "TEST_CLOCK": clock_start,
                    "REDIS_URL": "", "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "gunicorn.log").open("wb"))
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(f"{base}/healthz")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                    time.sleep(0.2)
            yield base, metrics_dir, server
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def test_two_workers_answer_readiness_one_scrape_sums_their_counts_and_a_dead_workers_stay(gunicorn):
    base, metrics_dir, server = gunicorn
    # Concurrent calls: a sync worker answers one at a time, so both workers take a share once both
    # have loaded the app (the second may still be loading when the first answers).
    answers: list[tuple[int, bytes]] = []
    deadline = time.monotonic() + 60
    while len(pids := _counting(metrics_dir)) < 2:
        assert time.monotonic() < deadline, sorted(metrics_dir.iterdir())
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers += pool.map(lambda _n: _get(f"{base}/readyz"), range(BATCH))
    assert {status for status, _body in answers} == {200}, answers[0]
    assert json.loads(answers[0][1])["status"] == "ok"

    status, body = _get(f"{base}/metrics", TOKEN)
    assert status == 200
    readyz = ("countersign_http_requests_total",
              frozenset({("endpoint", "ops.readyz"), ("method", "GET"), ("status", "200")}))
    assert samples(body.decode())[readyz] == len(answers)  # whichever worker answered the scrape, it counted both
    assert _get(f"{base}/metrics")[0] == 404  # and the token is still needed

    # A worker killed outright is replaced; what it counted still counts.
    victim = next(iter(pids))
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while victim in _children(server.pid) or _get(f"{base}/healthz")[0] != 200:
        assert time.monotonic() < deadline, "gunicorn did not replace its killed worker"
        time.sleep(0.2)
    assert samples(_get(f"{base}/metrics", TOKEN)[1].decode())[readyz] == len(answers)


def _counting(metrics_dir: Path) -> set[int]:
    """The workers that counted a request: each writes its own file, named after its pid."""
    return {int(path.stem.rsplit("_", 1)[-1]) for path in metrics_dir.glob("counter_*.db")}


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found
