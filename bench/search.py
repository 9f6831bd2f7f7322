"""The global search on the large data set: searches per second, for the results page and one kind paged.

    .venv/bin/python -m bench.search                       # SQLite in a temp dir (FTS5)
    .venv/bin/python -m bench.search --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

Builds the data set, then searches as the admin (everything visible) and as the busy project manager
(filtered by campaign), with whole words and with prefixes taken from the data. A ``--database-url``
database is wiped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from app.accounts.models import User
from app.core.pagination import PageRequest
from app.customers.models import Customer
from app.demo.large import Size, build
from app.extensions import db
from app.search import services
from bench.common import analyze, bench_app, describe, fresh_schema
from tests import routes

SIZES = {"large": Size.LARGE, "huge": Size.HUGE}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=5.0, help="per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="countersign-search-") as tmp:
        app = bench_app(args.database_url or f"sqlite:///{Path(tmp) / 'search.db'}")
        with app.app_context():
            fresh_schema()
            build(SIZES[args.size])
            db.session.commit()
            analyze()
            print(describe(app))
            names = db.session.scalars(sa.select(Customer.name).order_by(Customer.id).limit(50)).all()
            queries = [name.split()[0] for name in names] + [name.split()[0][:3] for name in names]
            admin = db.session.scalar(sa.select(User).where(User.email == routes.ADMIN_EMAIL))
            pm = routes.busy_pm()
            for who, reader in (("admin", admin), ("busy PM", pm)):
                for label, kinds, asked in (("results page (5 kinds)", services.KINDS, None),
                                            ("one kind, 20 a page", ("commitments",), PageRequest(limit=20)),
                                            ("all kinds, 50 a page", services.KINDS, PageRequest(limit=50))):
                    done, started = 0, time.perf_counter()
                    while time.perf_counter() - started < args.seconds:
                        services.search(reader, queries[done % len(queries)], kinds, asked)
                        done += 1
                    rate = done / (time.perf_counter() - started)
                    print(f"{who:8} {label:24} {rate:8.1f} searches/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
