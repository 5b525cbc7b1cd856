"""A structural check of VoiceXML 2.1 documents, for the elements Parley uses.

Written from the W3C recommendations' element tables (VoiceXML 2.0, 2004-03-16, and 2.1,
2007-06-19; the XSD files cannot be fetched here): for each element the attributes it may
carry, those it must, and the children it may hold. Executable content (2.0 §5.3) is what a
``<block>``, ``<filled>``, ``<noinput>`` or ``<nomatch>`` may hold.
"""

from dataclasses import dataclass, field
from xml.etree import ElementTree

NS = "{http://www.w3.org/2001/vxml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EXECUTABLE = {
    "assign", "clear", "disconnect", "else", "elseif", "exit", "goto", "if", "log", "prompt",
    "reprompt", "return", "script", "submit", "throw", "var", "audio", "value", "data",
}  # fmt: skip
FORM_ITEMS = {"block", "field", "initial", "object", "record", "subdialog", "transfer"}
EVENT_HANDLERS = {"catch", "error", "help", "noinput", "nomatch"}
FETCH = {"fetchaudio", "fetchhint", "fetchtimeout", "maxage", "maxstale"}
SSML = {"audio", "break", "emphasis", "enumerate", "mark", "p", "phoneme", "prosody", "s",
        "say-as", "sub", "value", "voice"}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    attributes: set[str]
    required: set[str] = field(default_factory=set)
    children: set[str] = field(default_factory=set)
    text: bool = False  # character data allowed
    one_of: tuple[str, ...] = ()  # exactly one of these attributes


RULES = {
    # 2.0 §1.5.1, 2.1 §1: version is required and, here, "2.1".
    "vxml": Rule(
        {"version", "xmlns", "xml:lang", "xml:base", "application"},
        {"version"},
        {"form", "menu", "var", "script", "meta", "metadata", "property", "link", "data"}
        | EVENT_HANDLERS,
    ),
    # 2.0 §2.1.
    "form": Rule(
        {"id", "scope"},
        set(),
        FORM_ITEMS | EVENT_HANDLERS | {"filled", "var", "property", "grammar", "link", "script"},
    ),
    # 2.0 §2.3.2.
    "block": Rule({"name", "expr", "cond"}, set(), EXECUTABLE, text=True),
    # 2.0 §2.3.1.
    "field": Rule(
        {"name", "expr", "cond", "type", "slot", "modal"},
        set(),
        {"prompt", "grammar", "filled", "option", "property", "link", "audio", "value", "enumerate"}
        | EVENT_HANDLERS,  # fmt: skip
    ),
    # 2.0 §2.3.6.
    "record": Rule(
        {"name", "expr", "cond", "modal", "beep", "maxtime", "finalsilence", "dtmfterm", "type"},
        set(),
        {"prompt", "grammar", "filled", "property", "audio"} | EVENT_HANDLERS,
    ),
    # 2.0 §2.3.7, 2.1 §8 (type), §7? aai/aaiexpr; dest or destexpr at most one.
    "transfer": Rule(
        {
            "name",
            "expr",
            "cond",
            "dest",
            "destexpr",
            "bridge",
            "connecttimeout",
            "maxtime",
            "transferaudio",
            "aai",
            "aaiexpr",
            "type",
        },  # fmt: skip
        set(),
        {"prompt", "grammar", "filled", "property", "audio"} | EVENT_HANDLERS,
        one_of=("dest", "destexpr"),
    ),
    # 4.1.
    "prompt": Rule(
        {"bargein", "bargeintype", "cond", "count", "timeout", "xml:lang", "xml:base"},
        set(),
        SSML,
        text=True,
    ),
    # 2.4.
    "filled": Rule({"mode", "namelist"}, set(), EXECUTABLE),
    # 5.2.
    "noinput": Rule({"count", "cond"}, set(), EXECUTABLE, text=True),
    "nomatch": Rule({"count", "cond"}, set(), EXECUTABLE, text=True),
    # 5.3.8.
    "submit": Rule(
        {"next", "expr", "namelist", "method", "enctype"} | FETCH, one_of=("next", "expr")
    ),
    # 5.3.6.
    "reprompt": Rule(set()),
    # 5.3.1.
    "var": Rule({"name", "expr"}, {"name"}),
    # 5.3.11; 2.1 §9 adds namelist.
    "disconnect": Rule({"namelist"}),
}
VALUES = {
    ("vxml", "version"): {"2.1"},
    ("submit", "method"): {"get", "post"},
    ("transfer", "type"): {"blind", "bridge", "consultation"},
    ("record", "beep"): {"true", "false"},
}


def check(document: str) -> ElementTree.Element:
    """The parsed document; AssertionError naming the first structural problem."""
    root = ElementTree.fromstring(document)
    assert root.tag == f"{NS}vxml", f"the root is <vxml> in {NS}, not {root.tag}"
    _check(root, "vxml")
    return root


def _name(tag: str) -> str:
    assert tag.startswith(NS), f"{tag}: not in the VoiceXML namespace"
    return tag[len(NS) :]


def _check(element: ElementTree.Element, path: str) -> None:
    name = _name(element.tag)
    rule = RULES.get(name)
    assert rule is not None, f"{path}: <{name}> is not among the elements checked"
    given = {"xml:lang" if key == XML_LANG else key for key in element.attrib}
    assert given <= rule.attributes, f"{path}: attributes {given - rule.attributes} not allowed"
    assert rule.required <= given, f"{path}: needs {rule.required - given}"
    if rule.one_of:
        present = [a for a in rule.one_of if a in given]
        assert len(present) == 1, f"{path}: exactly one of {rule.one_of}"
    for (element_name, attribute), allowed in VALUES.items():
        if element_name == name and attribute in element.attrib:
            assert element.attrib[attribute] in allowed, f"{path}@{attribute}: not {allowed}"
    if not rule.text:
        texts = [element.text, *(child.tail for child in element)]
        assert not any(t and t.strip() for t in texts), f"{path}: no text allowed"
    for index, child in enumerate(element):
        child_name = _name(child.tag)
        assert child_name in rule.children, f"{path}: <{child_name}> not allowed in <{name}>"
        _check(child, f"{path}/{child_name}[{index}]")
