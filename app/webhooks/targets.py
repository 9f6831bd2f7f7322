"""Where a webhook may go, and the one POST to it.

A webhook is a request the server makes to an address an admin typed, so it must never reach what
only the server can reach (its own loopback, the cloud's metadata service at 169.254.169.254, the
private network): server-side request forgery. A target is refused when any address its host
resolves to is loopback, link-local, private, reserved, multicast or unspecified (IPv4 and IPv6,
an IPv4-mapped IPv6 address judged as the IPv4 one), unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS``.

The rule is checked when the endpoint is saved and again at every delivery, and a delivery
connects to the very address it checked (the ``Host`` header and TLS name stay the URL's): a DNS
answer that changes between the check and the connection (DNS rebinding) cannot slip past it.
Redirects are not followed: a 3xx is a failed delivery like any other non-2xx answer.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.webhooks.models import EXCERPT_MAX

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: How much of an answer is read at most: enough for the excerpt kept, never a whole large body.
READ_AT_MOST = 4096


class TargetRefused(ValueError):
    """A URL that may not be a webhook target; the message says why, for the form or the log."""


@dataclass(frozen=True)
class Target:
    """A URL split into what a delivery needs."""

    scheme: str
    host: str
    port: int
    path: str  # with its query string


def parse(url: str, allow_private: bool) -> Target:
    """The target of ``url``, or :class:`TargetRefused` saying what is wrong with it (scheme, host)."""
    try:
        parts: SplitResult = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise TargetRefused("This is not a web address.") from None
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise TargetRefused("Use an address starting with https://." if parts.scheme not in {"http", "https"}
                            else "Use https:// (plain http is allowed only for targets on a private network, "
                                 "which this server does not allow).")
    if not parts.hostname:
        raise TargetRefused("The address names no host.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave credentials out of the address: the signature proves who sends.")
    if parts.fragment:
        raise TargetRefused("Leave the #fragment out: it is never sent.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def refused_address(address: Address) -> str | None:
    """Why ``address`` may not be a target ("private", "loopback", …), or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "reserved", "multicast", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:  # shared address space (100.64.0.0/10), documentation ranges, …
        return "not public"
    return None


def resolve(target: Target, allow_private: bool) -> Address:
    """The address to connect to: every address the host resolves to must be allowed (so a name
    with one public and one internal address is refused), and the first is used."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host {target.host} could not be found ({error}).") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise TargetRefused(f"The host {target.host} has no address.")
    if not allow_private:
        for address in addresses:
            reason = refused_address(address)
            if reason is not None:
                raise TargetRefused(f"{target.host} resolves to {address}, a {reason} address: "
                                    "webhooks go to public addresses only.")
    return addresses[0]


def check(url: str, allow_private: bool) -> Target:
    """Refuse ``url`` unless it is a target deliveries may reach now (it is checked again at each)."""
    target = parse(url, allow_private)
    if not allow_private:
        resolve(target, allow_private)
    return target


@dataclass(frozen=True)
class Answer:
    """What the receiver said: its status (None when there was no answer, ``excerpt`` says why),
    the start of its body, and the time from connecting to the answer."""

    status: int | None
    excerpt: str
    latency_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: Mapping[str, str], *, allow_private: bool,
         connect_timeout: float, read_timeout: float) -> Answer:
    """POST ``body`` to ``url`` at an address checked now; any failure is an :class:`Answer` without status."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        target = parse(url, allow_private)
        address = resolve(target, allow_private)
        connection = _connection(target, address, connect_timeout, read_timeout)
        try:
            connection.request("POST", target.path, body=body, headers={
                **headers, "Host": _host_header(target), "Content-Type": "application/json",
                "User-Agent": "Countersign-Webhooks/1", "Connection": "close"})
            response = connection.getresponse()
            excerpt = response.read(READ_AT_MOST).decode("utf-8", "replace")
            return Answer(response.status, _excerpt(excerpt), elapsed())
        finally:
            connection.close()
    except TargetRefused as refused:
        return Answer(None, _excerpt(f"Refused: {refused}"), elapsed())
    except (OSError, http.client.HTTPException) as error:  # timeouts, refusals, TLS, a garbled answer
        return Answer(None, _excerpt(f"{type(error).__name__}: {error}"), elapsed())


def _excerpt(text: str) -> str:
    cleaned = "".join(c if c.isprintable() or c in "\n\t" else "?" for c in text)
    return cleaned[:EXCERPT_MAX]


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked, whatever the host name resolves to by then."""

    def __init__(self, address: Address, port: int, connect_timeout: float, read_timeout: float) -> None:
        super().__init__(str(address), port, timeout=connect_timeout)
        self._read_timeout = read_timeout

    def connect(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTPConnection`, over TLS: the certificate is checked against the URL's host."""

    def __init__(self, address: Address, port: int, server_name: str, connect_timeout: float,
                 read_timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(str(address), port, timeout=connect_timeout, context=self._tls)
        self._server_name = server_name
        self._read_timeout = read_timeout

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
        raw.settimeout(self._read_timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self._server_name)


def _connection(target: Target, address: Address, connect_timeout: float,
                read_timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(address, target.port, target.host, connect_timeout, read_timeout)
    return _PinnedHTTPConnection(address, target.port, connect_timeout, read_timeout)
