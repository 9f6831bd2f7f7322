# Sourced by scripts/test and scripts/test-at (after _bootstrap.sh): installs the system
# packages the tests need when missing, and starts PostgreSQL and Redis when they are down.

PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    echo "==> Installing Debian's chromium for the browser tests"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_icaljs() {
  # Thunderbird's own iCalendar parser (ical.js, pinned in tests/calendars/icaljs) reads our feeds in the tests.
  local dir="$ROOT/tests/calendars/icaljs"
  if ! command -v npm >/dev/null 2>&1; then
    echo "==> Installing Node.js and npm for the ical.js feed tests"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
  fi
  if [ ! -d "$dir/node_modules/ical.js" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "==> Installing ical.js (tests/calendars/icaljs)"
    npm ci --prefix "$dir" --no-audit --no-fund --silent
  fi
}

ensure_nginx() {
  # deploy/nginx/countersign.conf is checked with `nginx -t` (tests/ops/test_deploy.py); no server is started.
  if [ ! -x /usr/sbin/nginx ]; then
    echo "==> Installing Debian's nginx (only to check the deploy kit's site with nginx -t)"
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then  # 101: the package's scripts may not start nginx on port 80
      guard=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' | as_root tee "$guard" >/dev/null && as_root chmod +x "$guard"
    fi
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx-light openssl >/dev/null
    if [ -n "$guard" ]; then as_root rm -f "$guard"; fi
  fi
}

ensure_postgres() {
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
    echo "==> Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
  fi
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    echo "PostgreSQL is not reachable on $PG_HOST:$PG_PORT: the database suite cannot run." >&2
    exit 1
  fi
}

ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "==> Starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
}
