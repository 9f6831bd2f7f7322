"""How fast a CRM import writes: rows per second for the preview and for the all-or-nothing import of
a generated 10,000-row file, then for importing it again (every deal unchanged). Not a test: it
prints figures (see bench/README.md).

    .venv/bin/python -m bench.crm_import                  # 10,000 rows, SQLite file in a temp dir
    .venv/bin/python -m bench.crm_import --rows 1000      # a smoke run
    .venv/bin/python -m bench.crm_import --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

A ``--database-url`` database is wiped and rebuilt: give it a throwaway one. The import runs in this
process, as the background job would (no Redis: no progress is written).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.accounts import services as accounts  # noqa: E402
from app.accounts.models import Role, User  # noqa: E402
from app.catalog import services as catalog  # noqa: E402
from app.extensions import db  # noqa: E402
from app.imports import services as imports  # noqa: E402
from app.imports.models import ImportRun  # noqa: E402
from app.projects import services as projects  # noqa: E402
from app.regions.models import Region  # noqa: E402
from bench.common import bench_app, describe, fresh_schema  # noqa: E402

PRODUCTS = ("Northwind Pro", "Contoso Hub")
REGIONS = ("North America", "Southern Europe", "DACH")


def generate(rows: int, customers: int) -> bytes:
    """A generic-format file of ``rows`` deals over ``customers`` accounts, each with its CRM id."""
    lines = ["deal_id,deal_name,customer_name,customer_id,product,region,promised_date,unit_price,quantity"]
    for i in range(rows):
        lines.append(f"B-{i:06d},Seats for team {i},Account {i % customers:05d},ACC-{i % customers:05d},"
                     f"{PRODUCTS[i % 2]},{REGIONS[i % 3]},2031-{1 + i % 12:02d}-{1 + i % 28:02d},"
                     f"{80 + i % 40}.00,{1 + i % 50}")
    return ("\n".join(lines) + "\n").encode()


def _world() -> tuple[User, object]:
    password = "bench-import-password-1"
    owner = accounts.create_user(None, accounts.UserInput("sales@bench.example", "Bench Seller",
                                                          Role.SALES_MANAGER, sales_rep=True), password)
    product_manager = accounts.create_user(None, accounts.UserInput("product@bench.example", "Bench Product",
                                                                    Role.PRODUCT_MANAGER), password)
    for name in PRODUCTS:
        catalog.create_product(product_manager, catalog.ProductInput(name=name, status="available",
                                                                     owner_ids=[product_manager.id]))
    regions = [Region(code=name[:3].upper() + str(i), name=name) for i, name in enumerate(REGIONS)]
    db.session.add_all(regions)
    db.session.flush()
    project = projects.launch_project(owner, projects.ProjectInput(
        title="Bench import", start_date=date(2030, 1, 1), end_date=date(2032, 12, 31),
        goal_metric="Deals", goal_target=100.0, region_ids=[r.id for r in regions]), None)
    db.session.commit()
    return owner, project


def _timed(step, rows: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    step()
    return rows / (time.perf_counter() - started)


def run(url: str, rows: int, customers: int) -> None:
    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        print(describe(app))
        owner, project = _world()
        data = generate(rows, customers)
        for attempt in ("first import", "again (all unchanged)"):
            run_ = imports.upload(owner, project, "bench.csv", data)
            imports.set_mapping(owner, run_, imports.MappingInput(dict(run_.mapping), "iso", "."))
            db.session.commit()
            preview = _timed(lambda r=run_: (imports.preview(owner, r), db.session.commit()), rows)
            imported = _timed(lambda r=run_: imports.start(owner, r) and db.session.commit(), rows)
            finished = db.session.get(ImportRun, run_.id)
            assert finished is not None and finished.message == "", finished.message if finished else None
            print(f"{rows:,} rows, {attempt}: preview {preview:,.0f} rows/s, import {imported:,.0f} rows/s "
                  f"(created {finished.created:,}, unchanged {finished.unchanged:,}, "
                  f"customers created {finished.customers_created:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        # Every row is written in the request's process: no job, the limit set beyond the file.
        imports.INLINE_ROWS = args.rows
        run(url, args.rows, args.customers)


if __name__ == "__main__":
    main()
