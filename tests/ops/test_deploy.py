"""The deployment kit (deploy/, Procfile) holds together: every setting in the environment template,
systemd units that systemd-analyze accepts, an nginx site that parses and keeps secrets out of its
log, and a Procfile whose commands exist. ``nginx -t`` runs when nginx is installed; otherwise the
site is parsed here (nginx is not a dependency of the test suite)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
NGINX = DEPLOY / "nginx" / "countersign.conf"
_READ = re.compile(r'(?:os\.environ(?:\.get)?[(\[]|_list\()\s*"([A-Z][A-Z0-9_]*)"')


# --- the environment template -----------------------------------------------------------------------

def settings() -> set[str]:
    """Every environment variable the app and gunicorn.conf.py read, but the test suite's own (TEST_*)."""
    read = set()
    for source in (ROOT / "config.py", ROOT / "app" / "__init__.py", ROOT / "gunicorn.conf.py"):
        read |= set(_READ.findall(source.read_text(encoding="utf-8")))
    return {name for name in read if not name.startswith("TEST_")}


def template() -> dict[str, str]:
    """The template's settings (commented out or not) and their values."""
    found = {}
    for line in (DEPLOY / "countersign.env").read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"#?([A-Z][A-Z0-9_]*)=(.*)", line):
            found[match.group(1)] = match.group(2)
    return found


def test_the_settings_are_found():
    assert {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "METRICS_NETWORKS", "COUNTERSIGN_ENV", "GUNICORN_WORKERS",
            "WEBHOOKS_RETRY_DELAYS"} <= settings()


def test_the_environment_template_lists_every_setting_and_nothing_else():
    listed = template()
    assert sorted(settings() - set(listed)) == [], "add these to deploy/countersign.env"
    assert sorted(set(listed) - settings()) == [], "deploy/countersign.env names settings nothing reads"
    assert listed["COUNTERSIGN_ENV"] == "production" and listed["TRUSTED_PROXIES"] == "1"


def test_the_readme_names_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(name for name in settings() if f"`{name}`" not in readme) == []


# --- the systemd units ----------------------------------------------------------------------------------

def _rendered(tmp_path: Path) -> list[Path]:
    """The units with this checkout and its virtualenv where a server has /opt/countersign, so that
    systemd-analyze finds the programs they start; the worker template as an instance."""
    venv_bin = str(Path(sys.executable).parent)
    rendered = []
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace("/opt/countersign/.venv/bin", venv_bin)
        text = text.replace("/opt/countersign", str(ROOT))
        target = tmp_path / unit.name.replace("@.", "@1.")
        target.write_text(text, encoding="utf-8")
        if unit.name.endswith("@.service"):
            (tmp_path / unit.name).write_text(text, encoding="utf-8")
        rendered.append(target)
    return rendered


def test_the_units_are_the_four_processes():
    assert [u.name for u in UNITS] == ["countersign-scheduler.service", "countersign-web.service",
                                       "countersign-web.socket", "countersign-worker@.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_every_unit(tmp_path):
    rendered = _rendered(tmp_path)
    # Missing users (countersign) and files (the EnvironmentFile) are for the server to have; anything
    # else systemd-analyze says (an unknown key, a bad value, a program not found) fails the test.
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, rendered)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and said == [], "\n".join(said)


def _exec_start(unit: str) -> list[str]:
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    return shlex.split(re.search(r"^ExecStart=(.*)$", text, re.MULTILINE).group(1))  # type: ignore[union-attr]


def test_the_units_start_what_the_readme_says(app):
    web = _exec_start("countersign-web.service")
    assert web[0].endswith("/gunicorn") and web[-1] == "wsgi:app" and "/opt/countersign/gunicorn.conf.py" in web
    unit = (DEPLOY / "systemd" / "countersign-web.service").read_text(encoding="utf-8")
    assert "Environment=PROMETHEUS_MULTIPROC_DIR=/run/countersign-web/metrics" in unit
    assert "RuntimeDirectory=countersign-web" in unit and "Requires=countersign-web.socket" in unit
    for unit_name, command in (("countersign-worker@.service", ["jobs", "worker"]),
                               ("countersign-scheduler.service", ["jobs", "scheduler"])):
        args = _exec_start(unit_name)
        assert args[:3] == ["/opt/countersign/.venv/bin/flask", "--app", "wsgi"] and args[3:5] == command
        help_run = app.test_cli_runner().invoke(args=[*args[3:], "--help"])
        assert help_run.exit_code == 0, help_run.output
    assert "--name %H-%i" in " ".join(_exec_start("countersign-worker@.service"))
    for name in ("countersign-web.service", "countersign-worker@.service", "countersign-scheduler.service"):
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/countersign/countersign.env" in text and "Restart=always" in text


# --- the nginx site -------------------------------------------------------------------------------------

def _tokens(text: str) -> list[str]:
    """nginx's configuration as tokens: words, quoted strings (quotes kept), ``{``, ``}`` and ``;``."""
    found = []
    for match in re.finditer(r'#[^\n]*|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[{};]|[^\s{};"\'#]+', text):
        if not match.group().startswith("#"):
            found.append(match.group())
    return found


def _directives(tokens: list[str]) -> list[tuple[tuple[str, ...], list[str]]]:
    """Every directive as (the blocks it is inside, its words); fails on an unbalanced brace or a
    directive without its ``;``."""
    found: list[tuple[tuple[str, ...], list[str]]] = []
    context: list[str] = []
    words: list[str] = []
    for token in tokens:
        if token == ";":
            assert words, f"an empty statement inside {context}"
            found.append((tuple(context), words))
            words = []
        elif token == "{":
            assert words, "a block without a name"
            found.append((tuple(context), words))
            context.append(words[0])
            words = []
        elif token == "}":
            assert not words, f"{' '.join(words)}: a directive without its ';' before a '}}'"
            assert context, "a '}' closing nothing"
            context.pop()
        else:
            words.append(token)
    assert not context, f"blocks left open: {context}"
    assert not words, f"{' '.join(words)}: a directive without its ';' at the end"
    return found


def _site() -> list[tuple[tuple[str, ...], list[str]]]:
    return _directives(_tokens(NGINX.read_text(encoding="utf-8")))


def _unquote(word: str) -> str:
    return word[1:-1] if word[:1] in {'"', "'"} else word


def _megabytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_the_parser_refuses_what_nginx_refuses():
    with pytest.raises(AssertionError, match="blocks left open"):
        _directives(_tokens("server { listen 80;"))
    with pytest.raises(AssertionError, match="without its ';'"):
        _directives(_tokens("server { listen 80 }"))
    with pytest.raises(AssertionError, match="closing nothing"):
        _directives(_tokens("listen 80; }"))


def test_the_site_has_tls_gzip_the_upload_limit_and_the_forwarded_headers():
    site = _site()
    servers = [words for context, words in site if words[0] == "listen"]
    assert ["listen", "443", "ssl", "http2"] in servers and ["listen", "80"] in servers
    named = {words[0]: words[1:] for context, words in site if context[-1:] == ("server",)}
    for needed in ("ssl_certificate", "ssl_certificate_key", "ssl_protocols", "access_log", "client_max_body_size",
                   "gzip", "gzip_types"):
        assert needed in named, needed
    assert named["gzip"] == ["on"] and {"text/calendar", "application/json"} <= set(named["gzip_types"])
    assert "TLSv1" not in named["ssl_protocols"] and "TLSv1.1" not in named["ssl_protocols"]
    # The body limit lets the largest upload the app accepts through, and not much more.
    limit = _megabytes(named["client_max_body_size"][0])
    assert Config.MAX_UPLOAD_BYTES < limit <= Config.MAX_UPLOAD_BYTES + 2 * 1024**2
    headers = {words[1]: words[2] for _context, words in site if words[0] == "proxy_set_header"}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme" and headers["X-Forwarded-Host"] == "$host"
    assert headers["X-Request-ID"] == "$request_id"
    assert any(words == ["proxy_pass", "http://countersign"] for _c, words in site)
    assert any(words[:2] == ["location", "="] and words[2] == "/metrics" for _c, words in site)


def test_the_access_log_never_writes_a_token():
    site = _site()
    formats = {words[1]: " ".join(_unquote(w) for w in words[2:]) for _c, words in site if words[0] == "log_format"}
    logs = [words for _c, words in site if words[0] == "access_log"]
    assert logs and all(words[2] == "countersign" for words in logs)
    line = formats["countersign"]
    for raw in ("$request_uri", "$request ", "$args", "$query_string", "$uri ", "$http_referer", "$arg_"):
        assert raw not in line + " ", f"the log format writes {raw.strip()}, which can hold a token"
    assert "$countersign_log_uri" in line and "$countersign_log_referer" in line


def _map(variable: str) -> list[tuple[str, str]]:
    """The (regex, value) entries of the map that sets ``variable``, in order."""
    tokens = _tokens(NGINX.read_text(encoding="utf-8"))
    start = next(i for i in range(len(tokens)) if tokens[i] == "map" and tokens[i + 2] == variable)
    end = tokens.index("}", start)
    body = [_unquote(t) for t in tokens[start + 4:end] if t != ";"]
    return [(body[i], body[i + 1]) for i in range(0, len(body), 2) if body[i] != "default"]


def _nginx_map(entries: list[tuple[str, str]], value: str) -> str:
    """What nginx's map gives for ``value``: the first matching regex's value, its captures filled in."""
    for pattern, result in entries:
        flags = re.IGNORECASE if pattern.startswith("~*") else 0
        found = re.search(pattern.lstrip("~*").replace("(?<", "(?P<"), value, flags)
        if found:
            return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m, found=found: found.group(m.group(1) or m.group(2)), result)
    return value


@pytest.mark.parametrize("path", [
    "/calendars/v1/S3CR3T.ics", "/calendars/v1/S3CR3T", "/Calendars/V1/S3CR3T.ics", "/calendars//v1/S3CR3T.ics",
    "/calendars/v2/S3CR3T.ics", "/email/preferences/S3CR3T", "/password/reset/S3CR3T",
])
def test_the_log_map_redacts_every_secret_path(path):
    logged = _nginx_map(_map("$countersign_log_uri"), path)
    assert "S3CR3T" not in logged and logged.endswith("[redacted]")


@pytest.mark.parametrize("path", ["/campaigns/12", "/api/v1/calendars", "/settings/calendars", "/readyz"])
def test_the_log_map_keeps_every_other_path(path):
    assert _nginx_map(_map("$countersign_log_uri"), path) == path


@pytest.mark.parametrize("referer", ["https://c.example.com/published/products/3/sheet?token=S3CR3T",
                                     "https://c.example.com/calendars/v1/S3CR3T.ics"])
def test_the_log_map_drops_a_referer_that_names_a_secret(referer):
    assert _nginx_map(_map("$countersign_log_referer"), referer) == "[redacted]"


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="nginx (and openssl, for a throwaway certificate) are not installed: parsed above")
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    site = NGINX.read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key.pem'};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --- the Procfile ---------------------------------------------------------------------------------------

def test_the_procfile_names_each_process_and_its_commands_exist(app):
    processes = {}
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        name, _, command = line.partition(":")
        assert re.fullmatch(r"[a-z]+", name) and command.startswith(" "), f"not 'name: command': {line!r}"
        processes[name] = shlex.split(command)
    assert set(processes) == {"web", "worker", "scheduler", "release"}
    web = processes["web"]
    assert web[0] == "gunicorn" and "gunicorn.conf.py" in web and "0.0.0.0:$PORT" in web and web[-1] == "wsgi:app"
    for name in ("worker", "scheduler", "release"):
        args = processes[name]
        assert args[:3] == ["flask", "--app", "wsgi"], name
        help_run = app.test_cli_runner().invoke(args=[*args[3:], "--help"])
        assert help_run.exit_code == 0, (name, help_run.output)
