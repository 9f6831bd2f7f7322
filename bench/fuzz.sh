#!/usr/bin/env bash
# A long schemathesis run by hand: every /api/v1 operation with many more generated requests than
# scripts/test sends (100 each), on SQLite, then on a throwaway PostgreSQL database.
#   bench/fuzz.sh              # 1000 examples per operation
#   bench/fuzz.sh 5000 -x      # 5000 each, stop at the first failing operation
# It prints pytest's summary; a failure shows the request to reproduce (a curl line) and the check.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
EXAMPLES="${1:-1000}"
export FUZZ_RANDOM=1  # new requests each run (the suite draws the same ones every time)
shift || true
PG="postgresql+psycopg://postgres@127.0.0.1:5432"
DB="countersign_fuzz_$$"

echo "==> SQLite: $EXAMPLES examples per operation"
FUZZ_EXAMPLES="$EXAMPLES" .venv/bin/python -m pytest tests/api/test_fuzz.py -q "$@"

createdb -h 127.0.0.1 -U postgres "$DB"
trap 'dropdb --if-exists -h 127.0.0.1 -U postgres "$DB"' EXIT
echo "==> PostgreSQL ($DB): $EXAMPLES examples per operation"
FUZZ_EXAMPLES="$EXAMPLES" TEST_DATABASE_URL="$PG/$DB" .venv/bin/python -m pytest tests/api/test_fuzz.py -q "$@"
