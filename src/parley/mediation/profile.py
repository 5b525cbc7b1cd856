"""Partner message profiles: what one looks like, the checks it passes when it is saved, and
reading a message with it.

A profile (one per partner, transaction type and version; docs/mediation.md has examples)
says how to recognise a message (content type, XML root element, a header), how to parse it
(JSON, XML, CSV), how to transform it (JSONata by default; XSLT first for XML; lookup tables
for code mapping) and which Parley command the result is (``commands.py``). The result of
the transform is the command's fields: one object, or a list of them for several commands
of the kind (a CSV's rows, say).

JSONata sees the parsed message as ``$``, each lookup table as a variable of its name
(``$lookup($severity, Severity)``) and ``$message`` (``partner``, ``transactionType``,
``contentType``, ``headers``, ``receivedAt``, ``messageId``). XSLT runs on the XML and gives
XML (read as data as the message would be) or text (read as JSON); it may read no file and
reach no network.
"""

import json
import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

import jsonata
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from parley.errors import InvalidInput
from parley.mediation.formats import (
    checked_encoding,
    local_name,
    media_type,
    parse,
    safe_parser,
    xml_data,
    xml_root,
)

NAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"  # partners and transaction types (store.checked_name)
VERSION = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
LOOKUP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MESSAGE_BINDING = "message"
# A runaway expression (an endless recursion, say) is stopped: the message is rejected.
JSONATA_TIMEOUT_MS = 5000
JSONATA_MAX_DEPTH = 500
Scalar = str | int | float | bool | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HeaderRule(Strict):
    name: str = Field(min_length=1, max_length=100)
    value: str | None = Field(default=None, max_length=500)  # None: present is enough


class Recognition(Strict):
    contentType: list[str] = Field(default_factory=list, max_length=20)
    rootElement: str | None = Field(default=None, min_length=1, max_length=200)
    header: HeaderRule | None = None

    @field_validator("contentType", mode="before")
    @classmethod
    def _one_or_more(cls, value):
        return [value] if isinstance(value, str) else value


class Parsing(Strict):
    format: Literal["json", "xml", "csv"]
    delimiter: str = Field(default=",", min_length=1, max_length=1)  # CSV
    encoding: str = Field(default="utf-8", max_length=40)  # unless the content type says


class Transform(Strict):
    jsonata: str | None = Field(default=None, min_length=1, max_length=100_000)
    xslt: str | None = Field(default=None, min_length=1, max_length=200_000)
    lookups: dict[str, dict[str, Scalar]] = Field(default_factory=dict, max_length=50)


class ProfileDocument(Strict):
    partner: str = Field(pattern=NAME)
    transactionType: str = Field(pattern=NAME)
    version: str = Field(default="1", pattern=VERSION)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    active: bool = True
    recognise: Recognition = Field(default_factory=Recognition)
    parse: Parsing
    transform: Transform = Field(default_factory=Transform)
    command: str = Field(min_length=1, max_length=64)


def invalid(error: ValidationError, prefix: str = "") -> InvalidInput:
    """The first problem pydantic found, as an InvalidInput naming where."""
    first = error.errors()[0]
    parts = [*(prefix.split(".") if prefix else []), *first["loc"]]
    where = ".".join(str(part) for part in parts)
    message = first["msg"]
    return InvalidInput(f"{where}: {message}" if where else message, where or None)


@dataclass
class Compiled:
    """A profile checked and made ready to read messages."""

    document: ProfileDocument
    expression: Any  # jsonata.Jsonata, or None
    stylesheet: etree.XSLT | None

    def specificity(self) -> int:
        rules = self.document.recognise
        return bool(rules.contentType) + bool(rules.rootElement) + bool(rules.header)

    def mismatches(self, content: bytes, content_type: str | None, headers: dict) -> list[str]:
        """Why this profile does not recognise the message (nothing: it does)."""
        rules, problems = self.document.recognise, []
        if rules.contentType:
            wanted = [media_type(kind) for kind in rules.contentType]
            given = media_type(content_type) or "none"
            if given not in wanted:
                problems.append(f"content type {given} is not {' or '.join(wanted)}")
        if rules.header is not None:
            name, value = rules.header.name.lower(), headers.get(rules.header.name.lower())
            if value is None:
                problems.append(f"no header {name}")
            elif rules.header.value is not None and value.strip() != rules.header.value:
                problems.append(f"header {name} is not {rules.header.value}")
        if rules.rootElement:
            try:
                root = xml_root(content)
            except InvalidInput:
                problems.append("the content is not XML")
            else:
                names = (local_name(root), root.tag)
                if rules.rootElement not in names:
                    problems.append(f"root element {names[0]} is not {rules.rootElement}")
        return problems

    def read(self, content: bytes, content_type: str | None, message: dict) -> list[dict]:
        """The message transformed: the fields of each command it becomes."""
        parsing = self.document.parse
        if self.stylesheet is not None:
            data = _run_xslt(self.stylesheet, xml_root(content))
        else:
            data = parse(content, content_type, parsing.format, parsing.model_dump())
        if self.expression is not None:
            bindings = {**self.document.transform.lookups, MESSAGE_BINDING: message}
            data = _run_jsonata(self.expression, data, bindings)
        items = data if isinstance(data, list) else [data]
        if not items:
            raise InvalidInput("transform: it gave no command for this message", "transform")
        return items


def compile_profile(document: dict) -> Compiled:
    """A profile document checked (InvalidInput naming where otherwise) and compiled."""
    from parley.mediation.commands import COMMANDS  # which read profiles' results

    if not isinstance(document, dict):
        raise InvalidInput("the profile: a JSON or YAML object")
    try:
        profile = ProfileDocument.model_validate(document)
    except ValidationError as error:
        raise invalid(error) from None
    if profile.command not in COMMANDS:
        raise InvalidInput(f"command: one of {', '.join(COMMANDS)}", "command")
    checked_encoding(profile.parse.encoding, "parse.encoding")
    transform, xml = profile.transform, profile.parse.format == "xml"
    if not xml and (transform.xslt or profile.recognise.rootElement):
        where = "transform.xslt" if transform.xslt else "recognise.rootElement"
        raise InvalidInput(f"{where}: only for XML (parse.format: xml)", where)
    for name in transform.lookups:
        if not LOOKUP_NAME.fullmatch(name) or name == MESSAGE_BINDING:
            raise InvalidInput(
                f"transform.lookups.{name}: a name of letters, digits and _ "
                f"(not {MESSAGE_BINDING})",
                f"transform.lookups.{name}",
            )
    expression = _jsonata(transform.jsonata) if transform.jsonata else None
    stylesheet = _xslt(transform.xslt) if transform.xslt else None
    return Compiled(profile, expression, stylesheet)


_compiled = threading.local()  # per thread: a compiled JSONata expression is not shared


def compiled_of(profile_id: str, changed: str, document: dict) -> Compiled:
    """The compiled profile, kept per thread while the profile is unchanged."""
    cache = getattr(_compiled, "cache", None)
    if cache is None:
        cache = _compiled.cache = {}
    key = (profile_id, changed)
    if key not in cache:
        if len(cache) > 100:
            cache.clear()
        cache[key] = compile_profile(document)
    return cache[key]


def _jsonata(text: str):
    try:
        return jsonata.Jsonata(text)
    except Exception as error:  # JException, and whatever else a parse of bad text raises
        raise InvalidInput(f"transform.jsonata: {error}", "transform.jsonata") from None


def _xslt(text: str) -> etree.XSLT:
    try:
        tree = etree.fromstring(text.encode("utf-8"), safe_parser())
        return etree.XSLT(tree, access_control=etree.XSLTAccessControl.DENY_ALL)
    except (etree.XMLSyntaxError, etree.XSLTParseError) as error:
        raise InvalidInput(f"transform.xslt: {error}", "transform.xslt") from None


def _run_jsonata(expression, data, bindings: dict):
    # The bounds are set per evaluation, on a frame of its own: jsonata-python's time limit
    # counts from when they are set, so bounds given when compiling would expire for every
    # evaluation of a kept expression once that much time had passed.
    frame = expression.create_frame()
    for name, value in bindings.items():
        frame.bind(name, value)
    frame.set_runtime_bounds(JSONATA_TIMEOUT_MS, JSONATA_MAX_DEPTH)
    try:
        result = expression.evaluate(data, frame)
    except RecursionError:
        raise InvalidInput("transform.jsonata: nested too deeply", "transform.jsonata") from None
    except Exception as error:  # JException: a function given the wrong thing, a timeout
        raise InvalidInput(f"transform.jsonata: {error}", "transform.jsonata") from None
    if result is None:
        raise InvalidInput(
            "transform.jsonata: it gave nothing for this message", "transform.jsonata"
        )
    return result


def _run_xslt(stylesheet: etree.XSLT, root) -> object:
    try:
        result = stylesheet(root)
    except etree.XSLTApplyError as error:  # xsl:message terminate="yes", say
        said = "; ".join(entry.message for entry in stylesheet.error_log) or str(error)
        raise InvalidInput(f"transform.xslt: {said}", "transform.xslt") from None
    top = result.getroot()
    if top is not None:
        return xml_data(top)
    text = str(result).strip()
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput(
            "transform.xslt: its result is neither XML nor JSON", "transform.xslt"
        ) from None
