"""The official TMF schemas (the package's copies in parley/api/tmf/specs, as TM Forum ships
them) as JSON Schema validators, independent of Parley's own checking (api/tmf/kit/spec.py).

A ``oneOf`` with a ``discriminator`` is read as the discriminator intends: the ``@type`` of the
instance names the one schema it must satisfy (a bare ``oneOf`` would refuse a document that
happens to satisfy two branches, as a ``PartyRef`` and an ``Individual`` can), and a ``@type``
that names none of them is an error.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

SPEC_DIR = Path(__file__).resolve().parents[2] / "src" / "parley" / "api" / "tmf" / "specs"
_V5_REF = "#/components/schemas/"


@cache
def _schemas(filename: str) -> dict:
    text = (SPEC_DIR / filename).read_text(encoding="utf-8")
    document = json.loads(text) if filename.endswith(".json") else yaml.safe_load(text)
    schemas = document.get("components", {}).get("schemas") or document["definitions"]
    return {name: _translated(schema) for name, schema in schemas.items()}


def _translated(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_translated(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    translated = {key: _translated(value) for key, value in schema.items()}
    if isinstance(translated.get("$ref"), str):
        translated["$ref"] = translated["$ref"].replace(_V5_REF, "#/definitions/")
    discriminator = translated.pop("discriminator", None)
    if "oneOf" in translated and discriminator:
        branches = translated.pop("oneOf")
        translated.update(_by_discriminator(branches, discriminator))
    return translated


def _by_discriminator(branches: list[dict], discriminator: dict) -> dict:
    name = discriminator.get("propertyName", "@type")
    mapping = discriminator.get("mapping") or {
        branch["$ref"].rsplit("/", 1)[-1]: branch["$ref"] for branch in branches
    }
    choices = [
        {
            "if": {"properties": {name: {"const": value}}, "required": [name]},
            "then": {"$ref": ref.replace(_V5_REF, "#/definitions/")},
        }
        for value, ref in mapping.items()
    ]
    return {"required": [name], "properties": {name: {"enum": sorted(mapping)}}, "allOf": choices}


@cache
def validator(filename: str, schema_name: str):
    root = {"definitions": _schemas(filename), "$ref": f"#/definitions/{schema_name}"}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def problems(filename: str, schema_name: str, document: dict) -> list[str]:
    """What the official schema finds wrong with ``document`` (empty: valid)."""
    found = validator(filename, schema_name).iter_errors(document)
    return [f"{'/'.join(map(str, e.instance_path)) or '.'}: {e.message}" for e in found]
