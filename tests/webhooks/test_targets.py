"""SSRF: which targets a webhook may have, at registration and again at every delivery."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from app.core.errors import InvalidInput
from app.extensions import db
from app.webhooks import delivery, services, targets
from app.webhooks.models import WebhookMessage


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "100.64.0.1", "192.0.2.10",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
])
def test_internal_addresses_are_refused(address):
    assert targets.refused_address(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert targets.refused_address(ipaddress.ip_address(address)) is None


@pytest.fixture
def dns(monkeypatch):
    """``dns["name"] = ["address", ...]``: what getaddrinfo answers for a name, from then on."""
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
            found = [host]
        except ValueError:
            if host not in answers:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            found = answers[host]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in found]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def strict(configure):
    configure(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)


def _create(people, url):
    return services.create_endpoint(people["admin"], services.EndpointInput(url=url, event_types=("milestone.moved",)))


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://169.254.169.254/",
    "https://10.1.2.3/x", "https://internal.example.test/hook", "http://hooks.example.test/hook",
    "ftp://hooks.example.test/", "https://user:pw@hooks.example.test/", "https:///nohost", "not a url",
])
def test_registration_refuses_internal_targets_and_plain_http(strict, dns, people, url):
    dns["internal.example.test"] = ["10.0.0.8"]
    dns["hooks.example.test"] = ["93.184.216.34"]
    with pytest.raises(InvalidInput) as refused:
        _create(people, url)
    assert "url" in refused.value.fields


def test_a_name_with_one_public_and_one_internal_address_is_refused(strict, dns, people):
    dns["mixed.example.test"] = ["93.184.216.34", "127.0.0.1"]
    with pytest.raises(InvalidInput, match="not saved") as refused:
        _create(people, "https://mixed.example.test/hook")
    assert "127.0.0.1" in refused.value.fields["url"][0]


def test_a_public_https_target_is_accepted(strict, dns, people):
    dns["hooks.example.test"] = ["93.184.216.34"]
    endpoint, _secret = _create(people, "https://hooks.example.test/hook?x=1")
    assert endpoint.url == "https://hooks.example.test/hook?x=1"


def test_dns_rebinding_after_registration_is_refused_at_delivery_without_connecting(strict, dns, people, receiver,
                                                                                     monkeypatch):
    dns["hooks.example.test"] = ["93.184.216.34"]
    endpoint, _secret = _create(people, "https://hooks.example.test/hook")
    db.session.commit()
    dns["hooks.example.test"] = ["127.0.0.1"]  # the name now points inside
    connected = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a) or (_ for _ in ()).throw(
        AssertionError("connected")))
    services.send_test(people["admin"], endpoint)
    db.session.commit()

    message = db.session.query(WebhookMessage).one()
    assert connected == [] and message.status == "pending" and message.last_status_code is None
    assert message.last_response.startswith("Refused: hooks.example.test resolves to 127.0.0.1")


def test_delivery_connects_to_the_address_it_checked_with_the_urls_host(dns, people, receiver, make_endpoint):
    port = receiver.server.server_address[1]
    dns["hooks.example.test"] = ["127.0.0.1"]  # allowed in tests (WEBHOOKS_ALLOW_PRIVATE_TARGETS)
    endpoint = make_endpoint(url=f"http://hooks.example.test:{port}/in?via=dns")
    services.send_test(people["admin"], endpoint)
    db.session.commit()
    [got] = receiver.messages()
    assert got.error == "" and got.headers["host"] == f"hooks.example.test:{port}"


def test_redirects_are_not_followed(people, receiver, make_endpoint):
    endpoint = make_endpoint()
    receiver.answers = [302]
    message = services.send_test(people["admin"], endpoint)
    db.session.commit()
    assert len(receiver.messages()) == 1
    db.session.refresh(message)
    assert message.status == "pending" and message.last_status_code == 302


def test_the_answer_kept_is_at_most_500_characters(people, receiver, make_endpoint):
    endpoint = make_endpoint()
    receiver.answers, receiver.answer_body = [500], "x" * 3000
    message = services.send_test(people["admin"], endpoint)
    db.session.commit()
    db.session.refresh(message)
    assert message.last_status_code == 500 and message.last_response == "x" * 500
    assert delivery.retry_delays()[0] == 5
