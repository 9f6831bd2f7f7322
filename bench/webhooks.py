"""Webhook deliveries per second to a local receiver, as one worker makes them.

    .venv/bin/python -m bench.webhooks                          # 2,000 messages, SQLite in a temp dir
    .venv/bin/python -m bench.webhooks --messages 5000 --endpoints 5
    .venv/bin/python -m bench.webhooks --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

Two figures: how fast the outbox is written (events per second, each one message per subscribed
endpoint, written in the event's transaction as the services do, a commit per event), and how fast one
worker delivers them (``delivery.deliver``, the RQ job's body, called in this process: claim and commit,
sign, POST to a threaded HTTP receiver on 127.0.0.1 that verifies every signature, record the attempt
and commit). Several workers multiply the second figure until the database or the receiver is the
limit. A ``--database-url`` database is wiped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core import events
from app.events import MilestoneCompleted
from app.extensions import db
from app.webhooks import delivery, services
from app.webhooks.catalogue import TYPES
from app.webhooks.models import WebhookMessage
from bench.common import bench_app, describe, fresh_schema
from tests.webhooks.receiver import Receiver


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000, help="events to write and deliver (per endpoint)")
    parser.add_argument("--endpoints", type=int, default=1, help="endpoints subscribed to every event")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="countersign-webhooks-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = bench_app(url)
        app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = True  # the receiver is on 127.0.0.1
        receiver = Receiver().start()
        try:
            with app.app_context():
                fresh_schema()
                admin = User(email="admin@bench.test", name="Bench Admin", role=Role.ADMIN)
                admin.set_password("bench-password-long-enough")
                db.session.add(admin)
                db.session.flush()
                secrets = [services.create_endpoint(admin, services.EndpointInput(
                    url=receiver.url, event_types=tuple(TYPES)))[1] for _ in range(args.endpoints)]
                db.session.commit()
                receiver.secret = secrets[0]  # the receiver verifies the first endpoint's (all, with one)

                started = time.perf_counter()
                for n in range(args.messages):
                    events.emit(MilestoneCompleted(milestone_id=n + 1, project_id=1, actor_id=admin.id))
                    db.session.commit()
                written = time.perf_counter() - started

                ids = list(db.session.scalars(sa.select(WebhookMessage.id).order_by(WebhookMessage.id)))
                latencies = []
                started = time.perf_counter()
                for message_id in ids:
                    one = time.perf_counter()
                    delivery.deliver(message_id)
                    latencies.append(time.perf_counter() - one)
                delivered_in = time.perf_counter() - started
                delivered = db.session.scalar(sa.select(sa.func.count()).where(WebhookMessage.status == "delivered"))
                print(f"database: {describe(app)}; {args.endpoints} endpoint(s), {len(ids)} messages")
                print(f"outbox written: {args.messages / written:,.0f} events/s "
                      f"({len(ids) / written:,.0f} messages/s, a commit per event)")
                print(f"delivered by one worker: {delivered:,} of {len(ids):,} in {delivered_in:.1f} s = "
                      f"{delivered / delivered_in:,.0f} deliveries/s; per delivery median "
                      f"{statistics.median(latencies) * 1000:.1f} ms, p99 "
                      f"{sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms")
                posts = list(db.session.scalars(sa.select(WebhookMessage.last_latency_ms)))
                print(f"the POST alone (as each attempt records it): median {statistics.median(posts):.0f} ms")
                bad = [m for m in receiver.messages() if m.error] if args.endpoints == 1 else []
                print(f"receiver: {len(receiver.messages()):,} received, {len(bad)} failed verification"
                      + ("" if args.endpoints == 1 else " (verified only with one endpoint)"))
                return 0 if delivered == len(ids) and not bad else 1
        finally:
            receiver.stop()


if __name__ == "__main__":
    sys.exit(main())
