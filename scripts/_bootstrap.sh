# Sourced by scripts/run and scripts/test: makes .venv from the project's own files.
# Reinstalls only when a requirements file changed, so the second run starts at once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Countersign needs Python 3.11 (python3.11 on PATH)." >&2
  return 1
}

bootstrap() {
  local requirements="$1"  # requirements.txt or requirements-dev.txt
  local python stamp wanted
  python="$(find_python)"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating the virtual environment in .venv"
    "$python" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$(basename "$requirements" .txt)"
  wanted="$(cat "$ROOT/requirements.txt" "$ROOT/$requirements" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "==> Installing $requirements"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements"
    echo "$wanted" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  export FLASK_APP=wsgi
  cd "$ROOT"
}
