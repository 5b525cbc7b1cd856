"""The outbound destination policy on its own: which URLs and addresses pass, in every
spelling of an internal address, and what PARLEY_OUTBOUND_ALLOW lets through."""

import socket
from ipaddress import ip_address

import pytest
from pydantic import ValidationError

from parley.outbound.policy import (
    NOT_CALLABLE,
    OutboundPolicy,
    Refused,
    check_syntax,
    forbidden,
    loose_ipv4,
    parse_allow,
)
from parley.settings import Settings

DEFAULT = OutboundPolicy()

# Every spelling of an internal address the probe (issue 18) and its follow-ups tried.
INTERNAL_URLS = [
    "http://127.0.0.1:5432/",
    "http://localhost:8000/oauth/token",
    "http://LOCALHOST:8000/",
    "http://localhost./",
    "http://api.localhost/",
    "http://2130706433:18777/",  # decimal
    "http://0177.0.0.1/",  # octal
    "http://0x7f.1/",  # hex, short
    "http://0x7f000001/",
    "http://127.1/",  # short
    "http://127.0.0.1./",  # trailing dot
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[::127.0.0.1]/",  # IPv4-compatible
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
    "http://[fe80::1]/",
    "http://[fc00::1]/",  # unique local
    "http://[fec0::1]/",  # site-local
    "http://224.0.0.1/",  # multicast
    "http://[ff02::1]/",
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://192.0.2.1/",  # documentation
    "https://127.0.0.1/",
]

BAD_FORMS = [
    ("ftp://crm.example.net/", "http(s)"),
    ("file:///etc/passwd", "http(s)"),
    ("gopher://crm.example.net/", "http(s)"),
    ("//crm.example.net/", "http(s)"),
    ("crm.example.net", "http(s)"),
    ("http://user:pw@crm.example.net/", "credentials"),
    ("http://user@crm.example.net/", "credentials"),
    ("http://crm.example.net@127.0.0.1/", "credentials"),
    ("http://crm.example.net/\r\nX-Injected: 1", "control characters"),
    ("http://crm.example.net/\n", "control characters"),
    ("http://crm.example.net/a b", "spaces"),
    ("http://crm.example.net/\t", "spaces"),
    ("http://crm.example.net\\@127.0.0.1/", "backslashes"),
    ("http://bücher.example/", "non-ASCII"),
    ("http://crm.example.net/x#frag", "fragment"),
    ("http://127.0.0.1:18777/internal/admin/reset#", "fragment"),
    ("http://crm.example.net:0/", "port"),
    ("http://crm.example.net:99999/", "port"),
    ("http://crm.example.net:http/", "port"),
    ("http://1.2.3.999/", "host"),
    ("http://crm.example.123/", "host"),
    ("http://exa_mple..net/", "host"),
    ("http://[::1/", "http(s)"),
    ("http://%31%32%37.0.0.1/", "host"),
    ("", "http(s)"),
]


@pytest.fixture
def dns(monkeypatch):
    """``dns["name"] = ["1.2.3.4", ...]``: what getaddrinfo answers for a name (others: no
    such name; numeric hosts as the system reads them)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host in table:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port, 0, 0) if ":" in a else (a, port),
                )
                for a in table[host]
            ]
        if loose_ipv4(host) is not None or ":" in host:
            return real(host, port, family, type, proto, flags)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_every_spelling_of_an_internal_address_is_refused(url, dns):
    with pytest.raises(Refused) as refused:
        DEFAULT.check_url(url)
    assert refused.value.reason == NOT_CALLABLE


@pytest.mark.parametrize(("url", "says"), BAD_FORMS)
def test_urls_of_a_bad_form_are_refused_saying_why(url, says):
    with pytest.raises(Refused) as refused:
        check_syntax(url)
    assert says in refused.value.reason


def test_the_odd_ipv4_spellings_are_read_as_the_system_reads_them():
    for spelling in ("2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001", "127.0.1"):
        assert loose_ipv4(spelling) == ip_address("127.0.0.1")
        assert socket.getaddrinfo(spelling, 80)[0][4][0] == "127.0.0.1"
    assert loose_ipv4("0") == ip_address("0.0.0.0")
    for not_one in ("1.2.3.256", "08.1.1.1", "0x", "1.2.3.4.5", "a.1", "4294967296", ""):
        assert loose_ipv4(not_one) is None


def test_public_addresses_pass_also_inside_ipv6_forms():
    for public in ("8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"):
        assert not forbidden(ip_address(public)), public
    assert DEFAULT.check_url("https://8.8.8.8/hook").port == 443
    assert DEFAULT.check_url("http://[2001:4860:4860::8888]:8080/x?y=1").port == 8080


def test_a_name_is_refused_when_any_of_its_addresses_is_internal(dns):
    dns["crm.example.net"] = ["93.184.215.14"]
    dns["mixed.example.net"] = ["93.184.215.14", "127.0.0.1"]
    dns["v6.example.net"] = ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::1"]
    dns["intranet.example.net"] = ["10.20.30.40"]

    assert DEFAULT.check_url("https://crm.example.net/tmf").host == "crm.example.net"
    for name in ("mixed", "v6", "intranet"):
        with pytest.raises(Refused):
            DEFAULT.check_url(f"https://{name}.example.net/tmf")


def test_a_name_that_does_not_resolve_is_refused_as_an_internal_one_is(dns):
    """The same answer either way: a caller cannot learn which internal names exist."""
    dns["intranet.example.net"] = ["10.20.30.40"]
    answers = set()
    for url in ("http://no-such.example.net/", "http://intranet.example.net/"):
        with pytest.raises(Refused) as refused:
            DEFAULT.check_url(url)
        answers.add(refused.value.reason)
    assert answers == {NOT_CALLABLE}


def test_the_allow_list_admits_hosts_addresses_and_networks_with_their_ports(dns):
    dns["billing.corp.example"] = ["10.1.2.3"]
    dns["other.corp.example"] = ["10.1.2.4"]
    policy = OutboundPolicy.of(
        "billing.corp.example:8443, 127.0.0.1:18777, 192.168.10.0/24, [fd00::/8]:443, [::1]"
    )

    admitted = [
        "https://billing.corp.example:8443/adjustments",
        "https://BILLING.corp.example.:8443/",
        "http://127.0.0.1:18777/hook",
        "http://2130706433:18777/",  # the same address, however spelled
        "http://[::ffff:127.0.0.1]:18777/",
        "http://192.168.10.77/",
        "http://192.168.10.77:9000/",
        "https://[fd12::1]/",
        "http://[::1]:5000/",
    ]
    refused = [
        "https://billing.corp.example/",  # another port
        "http://other.corp.example:8443/",  # another name on the same network
        "http://127.0.0.1:18778/",
        "http://localhost:18777/",  # a name the list does not hold
        "http://192.168.11.1/",
        "http://[fd12::1]:80/",
        "http://10.1.2.3:8443/",  # the address of an allowed name, not the name
    ]
    for url in admitted:
        policy.check_url(url)
    for url in refused:
        with pytest.raises(Refused):
            policy.check_url(url)
    # The form is checked whatever the list says.
    with pytest.raises(Refused):
        policy.check_url("http://u:p@127.0.0.1:18777/")


def test_an_allowed_name_connects_wherever_it_resolves(dns):
    dns["kannel.corp.example"] = ["127.0.0.1"]
    policy = OutboundPolicy.of("kannel.corp.example")
    (answer,) = policy.resolve("kannel.corp.example", 13013)
    assert answer[4] == ("127.0.0.1", 13013)


@pytest.mark.parametrize(
    "entry",
    [
        "10.0.0.1/8",
        "127.1",
        "2130706433",
        "crm.example.net:http",
        "x:70000",
        "fd00::/8:443",
        "a..b",
        "[::1",
        "*.example.net",
        "10.0.0.0/33",
    ],
)
def test_a_bad_allow_list_stops_parley_at_start(entry):
    with pytest.raises(ValueError, match="is not a host name"):
        parse_allow(f"crm.example.net, {entry}")
    with pytest.raises(ValidationError, match="outbound_allow"):
        Settings(outbound_allow=entry, _env_file=None)


def test_the_default_settings_allow_nothing_internal():
    settings = Settings(_env_file=None)
    assert settings.outbound_allow == ""
    assert OutboundPolicy.of(settings.outbound_allow).allow == ()
