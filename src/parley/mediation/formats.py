"""Reading a message's bytes as data: JSON, XML or CSV, into plain JSON values a transform
works on.

XML is read safely: no DTD is loaded, no entity expanded, nothing fetched from the network
(no XXE, no "billion laughs"); as data, an element is its text when it has neither children
nor attributes, else an object of its attributes (``@name``), its children by local name (a
name repeated: a list) and its text (``#text``) where it has some beside them.
"""

import codecs
import csv
import io
import json

from lxml import etree

from parley.errors import InvalidInput

FORMATS = ("json", "xml", "csv")


def media_type(content_type: str | None) -> str:
    """``application/xml`` of ``application/xml; charset=utf-8``, lower case."""
    return (content_type or "").split(";")[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def checked_encoding(name: str, field: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidInput(f"{field}: no such character encoding: {name}", field) from None


def text_of(content: bytes, content_type: str | None, encoding: str | None) -> str:
    """The content as text: in the charset the content type names, else ``encoding`` (the
    profile's; UTF-8 by default, a byte order mark dropped)."""
    name = charset_of(content_type) or encoding or "utf-8"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InvalidInput(f"content: unknown charset {name}", "content") from None
    if codec == "utf-8":
        codec = "utf-8-sig"
    try:
        return content.decode(codec)
    except UnicodeDecodeError as error:
        where = f"{error.reason} at byte {error.start}"
        raise InvalidInput(f"content: not {name} text ({where})") from None


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def xml_root(content: bytes) -> etree._Element:
    try:
        return etree.fromstring(content, safe_parser())
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"content: not well-formed XML ({error})") from None


def local_name(element) -> str:
    return etree.QName(element).localname


def xml_data(element) -> object:
    """An element as data (see the module's docstring)."""
    children = [child for child in element if isinstance(child.tag, str)]
    text = (element.text or "").strip()
    if not children and not element.attrib:
        return text
    data: dict = {f"@{etree.QName(key).localname}": value for key, value in element.attrib.items()}
    repeated: set[str] = set()
    for child in children:
        name, value = local_name(child), xml_data(child)
        if name in repeated:
            data[name].append(value)
        elif name in data:
            data[name] = [data[name], value]
            repeated.add(name)
        else:
            data[name] = value
    if text:
        data["#text"] = text
    return data


def parse(content: bytes, content_type: str | None, form: str, options: dict) -> object:
    """The content read as ``form`` (json, xml, csv) into data; InvalidInput saying what is
    wrong with it otherwise."""
    if form == "xml":
        return xml_data(xml_root(content))
    text = text_of(content, content_type, options.get("encoding"))
    if form == "json":
        try:
            return json.loads(text)
        except RecursionError:
            raise InvalidInput("content: JSON nested too deeply") from None
        except ValueError as error:
            raise InvalidInput(f"content: not JSON ({error})") from None
    return csv_rows(text, options.get("delimiter") or ",")


def csv_rows(text: str, delimiter: str) -> list[dict]:
    """The rows of a CSV text with a header line, each an object by the header's names
    (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(name.strip() for name in header):
            raise InvalidInput("content: CSV without a header line")
        names = [name.strip() for name in header]
        rows = []
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise InvalidInput(
                    f"content: CSV line {number} has {len(row)} fields, the header {len(names)}"
                )
            rows.append(dict(zip(names, row, strict=True)))
        return rows
    except csv.Error as error:
        raise InvalidInput(f"content: not CSV ({error}, line {reader.line_num})") from None
