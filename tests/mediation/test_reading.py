"""Reading messages with a profile: XML as data (attributes, repeated elements, namespaces)
without entities or network, CSV by its header, charsets, JSONata's lookups and bounds."""

import pytest
from jsonata import timebox

from parley.errors import InvalidInput
from parley.mediation.formats import parse, xml_data, xml_root
from parley.mediation.profile import compile_profile


def _profile(jsonata: str, form: str = "json", **transform) -> dict:
    return {
        "partner": "p",
        "transactionType": "t",
        "parse": {"format": form},
        "transform": {"jsonata": jsonata, **transform},
        "command": "logInteraction",
    }


def test_xml_becomes_data_by_local_names():
    root = xml_root(
        b"<o:Order xmlns:o='urn:o' id='7'><o:Line n='1'>SIM</o:Line><o:Line n='2'>Router"
        b"</o:Line><o:Note>fast</o:Note><o:Empty/></o:Order>"
    )

    assert xml_data(root) == {
        "@id": "7",
        "Line": [{"@n": "1", "#text": "SIM"}, {"@n": "2", "#text": "Router"}],
        "Note": "fast",
        "Empty": "",
    }


def test_xml_entities_are_not_expanded_nor_fetched():
    bomb = (
        b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'>"
        b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        b"<r><b>&b;</b><x>&x;</x></r>"
    )

    data = xml_data(xml_root(bomb))

    assert "aaaa" not in str(data) and "root:" not in str(data)


@pytest.mark.parametrize(
    ("content", "content_type", "said"),
    [
        (b"a;b\n1;2;3\n", "text/csv", "CSV line 2 has 3 fields, the header 2"),
        (b"", "text/csv", "CSV without a header line"),
        (b"\xff\xfeo", "text/csv; charset=utf-8", "not utf-8 text"),
        (b"a;b", "text/csv; charset=klingon", "unknown charset klingon"),
    ],
)
def test_unreadable_csv_is_refused_saying_why(content, content_type, said):
    with pytest.raises(InvalidInput, match=said):
        parse(content, content_type, "csv", {"delimiter": ";"})


def test_csv_in_the_charset_its_content_type_names():
    rows = parse(
        "name;city\nJürgen;Köln\n".encode("latin-1"),
        "text/csv; charset=iso-8859-1",
        "csv",
        {"delimiter": ";"},
    )

    assert rows == [{"name": "Jürgen", "city": "Köln"}]


def test_lookups_and_the_message_are_jsonata_variables():
    compiled = compile_profile(
        _profile(
            '{"description": $lookup($codes, code) & " via " & $message.partner}',
            lookups={"codes": {"F1": "fault"}},
        )
    )

    assert compiled.read(b'{"code": "F1"}', "application/json", {"partner": "acme"}) == [
        {"description": "fault via acme"}
    ]


def test_a_kept_expression_is_bounded_per_evaluation_not_since_it_was_compiled(monkeypatch):
    compiled = compile_profile(_profile('{"description": text}'))
    later = timebox.Timebox.current_milli_time() + 60_000
    monkeypatch.setattr(timebox.Timebox, "current_milli_time", staticmethod(lambda: later))

    assert compiled.read(b'{"text": "hi"}', None, {}) == [{"description": "hi"}]


def test_a_runaway_expression_is_stopped():
    compiled = compile_profile(_profile("($f := function($x) { $f($x + 1) }; $f(0))"))

    with pytest.raises(InvalidInput, match="transform.jsonata: "):
        compiled.read(b"{}", None, {})


def test_an_expression_giving_nothing_is_refused():
    compiled = compile_profile(_profile("missing.field"))

    with pytest.raises(InvalidInput, match="it gave nothing for this message"):
        compiled.read(b"{}", None, {})
