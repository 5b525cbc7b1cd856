"""Validation of TMF payloads against the official OpenAPI files shipped in ``api/tmf/specs``.

The OAS schemas are built from ``allOf`` chains and ``@type`` discriminators, and they don't
forbid unknown properties. This walker follows both, so that a payload is checked against
exactly the schema its ``@type`` names: unknown properties, wrong types, bad enum values,
unparseable dates and missing required properties are reported with their path.
An object without ``@type`` is matched to the first subtype it fits and gets that ``@type``.
"""

import copy
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"
META_KEYS = ("@type", "@baseType", "@schemaLocation")
_JSON_TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


class SpecViolation(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def load_spec_requiring(filename: str, required: dict[str, list[str]]) -> "Spec":
    """A Swagger 2.0 spec whose ``required`` lists are replaced where Parley asks for less than
    the swagger: what a conformance profile makes mandatory (TMF683 v4's lenient creates), or
    what v5 requires where a v4 API shows v5 documents (kit/v4_mapping.py)."""
    with open(SPEC_DIR / filename, encoding="utf-8") as handle:
        document = json.load(handle)
    for name, fields in required.items():
        document["definitions"][name]["required"] = fields
    return Spec(document)


@cache
def load_spec(filename: str) -> "Spec":
    with open(SPEC_DIR / filename, encoding="utf-8") as handle:
        return Spec(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


class Spec:
    def __init__(self, document: dict):
        # OpenAPI 3 keeps schemas in components; Swagger 2.0 (TMF672 v4) in definitions.
        schemas = document.get("components", {}).get("schemas") or document["definitions"]
        # One $ref style for /docs, which is OpenAPI 3 (_ref_name reads only the last segment).
        self.schemas: dict[str, dict] = _openapi3_refs(schemas)
        self._shapes: dict[str, _Shape] = {}
        # What the spec calls a resource's create and update bodies: v5 (OpenAPI 3) names them
        # <Type>_FVO and <Type>_MVO, the v4 swaggers <Type>_Create and <Type>_Update.
        self.body_suffixes = (
            ("_FVO", "_MVO") if "components" in document else ("_Create", "_Update")
        )
        # Which API and version the schemas are of, for /docs: "CustomerManagementV4".
        self.origin = _origin(document)

    def properties(self, schema_name: str) -> set[str]:
        return set(self._shape(schema_name).properties)

    def scalar_properties(self, schema_name: str) -> set[str]:
        """Top-level string/boolean/number properties: the ones a query may filter on."""
        scalars = set()
        for key, schema in self._shape(schema_name).properties.items():
            if "$ref" in schema:
                schema = self.schemas[_ref_name(schema["$ref"])]
            if schema.get("type") in ("string", "boolean", "number", "integer"):
                scalars.add(key)
        return scalars

    def validate(
        self, payload: Any, schema_name: str, partial: bool = False, in_place: bool = False
    ) -> dict:
        """Return a checked copy of ``payload`` (with inferred ``@type``s) or raise.

        ``partial`` (a merge patch) waives the top-level required properties. ``in_place``
        checks (and completes) ``payload`` itself, for a caller that owns it, e.g. a body
        just parsed.
        """
        value = payload if in_place else copy.deepcopy(payload)
        problems: list[str] = []
        self._check(value, schema_name, "", problems)
        if partial:
            problems = [p for p in problems if not _is_top_level_required(p)]
        if problems:
            raise SpecViolation(problems)
        return value

    def pruned(self, value: Any, schema_name: str) -> Any:
        """A copy of ``value`` holding, at every level, only what the schema knows (and the
        meta keys): what a document of the other TMF version has that this one has no place
        for is left out. A polymorphic object is pruned by the subtype its ``@type`` names;
        one with a ``@schemaLocation`` (an extension), of a free-form schema or of an
        alternative without a discriminating ``@type`` is kept whole."""
        return self._pruned(value, {"$ref": f"#/components/schemas/{schema_name}"})

    def _pruned(self, value: Any, schema: dict) -> Any:
        if "$ref" in schema:
            shape = self._shape(_ref_name(schema["$ref"]))
            if shape.is_object:
                return self._pruned_object(value, shape)
            schema = shape.schema
        if "oneOf" in schema or "anyOf" in schema:
            mapping = schema.get("discriminator", {}).get("mapping", {})
            declared = value.get("@type") if isinstance(value, dict) else None
            if isinstance(declared, str) and declared in mapping:
                return self._pruned(value, {"$ref": mapping[declared]})
            return copy.deepcopy(value)
        if "allOf" in schema or "properties" in schema:
            return self._pruned_object(value, _Shape(self, None, schema))
        if schema.get("type") == "array" and isinstance(value, list) and "items" in schema:
            return [self._pruned(item, schema["items"]) for item in value]
        return copy.deepcopy(value)

    def _pruned_object(self, value: Any, shape: "_Shape") -> Any:
        if not isinstance(value, dict) or not shape.properties or "@schemaLocation" in value:
            return copy.deepcopy(value)
        declared = value.get("@type")
        subtype = shape.subtypes.get(declared) if isinstance(declared, str) else None
        if subtype is not None and subtype != shape.name:
            return self._pruned_object(value, self._shape(subtype))
        return {
            key: self._pruned(item, shape.properties[key])
            if key in shape.properties
            else copy.deepcopy(item)
            for key, item in value.items()
            if key in shape.properties or key in META_KEYS
        }

    # -- schema resolution -------------------------------------------------------------

    def _shape(self, name: str) -> "_Shape":
        if name not in self._shapes:
            self._shapes[name] = _Shape(self, name, self.schemas[name])
        return self._shapes[name]

    # -- checking ------------------------------------------------------------------------

    def _check(self, value: Any, schema: dict | str, path: str, problems: list[str]) -> None:
        if isinstance(schema, str):
            self._check_named(value, schema, path, problems, dispatched=False)
            return
        if "$ref" in schema:
            self._check_named(value, _ref_name(schema["$ref"]), path, problems, dispatched=False)
            return
        if "oneOf" in schema or "anyOf" in schema:
            self._check_alternatives(value, schema, path, problems)
            return
        if "allOf" in schema or "properties" in schema:
            self._check_object(value, _Shape(self, None, schema), path, problems)
            return
        self._check_scalar(value, schema, path, problems)

    def _check_named(self, value, name, path, problems, dispatched: bool) -> None:
        shape = self._shape(name)
        if not shape.is_object:
            self._check_unnamed(value, shape.schema, path, problems)
            return
        if isinstance(value, dict) and shape.subtypes and not dispatched:
            target = self._dispatch(value, shape, path, problems)
            if target is None:
                return
            if target != name:
                self._check_named(value, target, path, problems, dispatched=True)
                return
        self._check_object(value, shape, path, problems)

    def _check_unnamed(self, value, schema, path, problems) -> None:
        if "oneOf" in schema or "anyOf" in schema:
            self._check_alternatives(value, schema, path, problems)
        else:
            self._check_scalar(value, schema, path, problems)

    def _dispatch(self, value: dict, shape: "_Shape", path: str, problems) -> str | None:
        """Pick the schema for a polymorphic object from its @type, or infer it."""
        declared = value.get("@type")
        if declared is not None:
            if not isinstance(declared, str):
                problems.append(f"{_at(path, '@type')}: must be a string")
                return None
            return shape.subtypes.get(declared, shape.name)
        best, fewest = shape.name, None
        for candidate in [shape.name, *shape.subtypes.values()]:
            trial = _Trial()
            self._check_object(value, self._shape(candidate), path, trial)
            if not trial:
                return candidate
            if fewest is None or len(trial) < fewest:
                best, fewest = candidate, len(trial)
        return best  # closest fit, so the problems reported are the telling ones

    def _check_alternatives(self, value, schema, path, problems) -> None:
        options = [
            _ref_name(o["$ref"]) if "$ref" in o else o
            for o in schema.get("oneOf", schema.get("anyOf", []))
        ]
        mapping = {
            k: _ref_name(v) for k, v in schema.get("discriminator", {}).get("mapping", {}).items()
        }
        if isinstance(value, dict) and value.get("@type") in mapping:
            self._check(value, mapping[value["@type"]], path, problems)
            return
        first_failure: list[str] | None = None
        for option in options:
            trial = _Trial()
            self._check(value, option, path, trial)
            if not trial:
                self._check(value, option, path, [])  # apply inferred @type on the real value
                return
            first_failure = first_failure or trial
        problems.extend(first_failure or [f"{path or 'body'}: matches no allowed shape"])

    def _check_object(self, value, shape: "_Shape", path: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(f"{path or 'body'}: must be an object")
            return
        # Lenient: where the schema in force names the type, a missing @type is that one.
        inferred = "@type" in shape.properties and "@type" not in value and shape.type_name
        if inferred and not isinstance(problems, _Trial):
            value["@type"] = shape.type_name
        # A subclass declared through @schemaLocation may carry properties the spec can't know.
        extension = "@schemaLocation" in value
        for key, item in value.items():
            if key in shape.properties:
                if item is None:
                    problems.append(f"{_at(path, key)}: must not be null")
                    continue
                self._check(item, shape.properties[key], _at(path, key), problems)
            elif key in META_KEYS:
                # Every TMF object is Extensible, even where a schema (TMF629's *_MVO)
                # forgets to say so: the server's own answers carry @type and must round-trip.
                if not isinstance(item, str):
                    problems.append(f"{_at(path, key)}: must be a string")
            elif not extension and shape.properties:
                problems.append(f"{_at(path, key)}: unknown property")
        for key in shape.required:
            if key not in value and not (inferred and key == "@type"):
                problems.append(f"{_at(path, key)}: is required")

    def _check_scalar(self, value, schema: dict, path: str, problems: list[str]) -> None:
        kind = schema.get("type")
        where = path or "body"
        if kind in ("number", "integer"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if kind == "integer":
                ok = ok and float(value).is_integer()
            if not ok:
                problems.append(
                    f"{where}: must be a{'n integer' if kind == 'integer' else ' number'}"
                )
            return
        if kind in _JSON_TYPES and not isinstance(value, _JSON_TYPES[kind]):
            problems.append(f"{where}: must be {'an' if kind[0] in 'ao' else 'a'} {kind}")
            return
        if kind == "array" and len(value) < schema.get("minItems", 0):
            problems.append(f"{where}: needs at least {schema['minItems']} item(s)")
        if kind == "array" and "items" in schema:
            for index, item in enumerate(value):
                if item is None:
                    problems.append(f"{where}[{index}]: must not be null")
                else:
                    self._check(item, schema["items"], f"{where}[{index}]", problems)
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(map(str, schema["enum"]))
            problems.append(f"{where}: must be one of {allowed}")
        if schema.get("format") == "date-time" and isinstance(value, str):
            try:
                datetime.fromisoformat(value)
            except ValueError:
                problems.append(f"{where}: must be an RFC 3339 date-time")


class _Shape:
    """An object schema with its allOf chain flattened."""

    def __init__(self, spec: Spec, name: str | None, schema: dict):
        self.name = name
        self.schema = schema
        self.properties: dict[str, dict] = {}
        self.required: set[str] = set()
        self.subtypes: dict[str, str] = {}
        self.is_object = False
        self._collect(spec, schema, top=True)
        self.type_name = _type_name(name) if name else None

    def _collect(self, spec: Spec, schema: dict, top: bool) -> None:
        if "$ref" in schema:
            self._collect(spec, spec.schemas[_ref_name(schema["$ref"])], top=False)
            return
        if "properties" in schema or "allOf" in schema or schema.get("type") == "object":
            self.is_object = self.is_object or "oneOf" not in schema
        for part in schema.get("allOf", []):
            self._collect(spec, part, top=False)
        self.properties.update(schema.get("properties", {}))
        self.required.update(schema.get("required", []))
        if top:
            mapping = schema.get("discriminator", {}).get("mapping", {})
            self.subtypes = {k: _ref_name(v) for k, v in mapping.items()}


def _is_top_level_required(problem: str) -> bool:
    where, _, what = problem.partition(": ")
    return what == "is required" and "." not in where and "[" not in where


def _openapi3_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/definitions/", "#/components/schemas/")
                if key == "$ref" and isinstance(value, str)
                else _openapi3_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_openapi3_refs(item) for item in node]
    return node


class _Trial(list):
    """The problems of a trial check (which shape fits?): a trial infers no ``@type`` into the
    value, so the value needs no copy; the check of the shape chosen does."""


def _origin(document: dict) -> str:
    """The API's title and major version as one word: the v4 and v5 files define schemas of the
    same names differently, and /docs tells them apart by it."""
    info = document.get("info") or {}
    words = [w for w in str(info.get("title", "TMF")).split() if w.upper() != "API"]
    major = str(info.get("version", "")).split(".")[0]
    name = "".join(word[:1].upper() + word[1:] for word in words if word.isalnum())
    return f"{name or 'TMF'}V{major}" if major.isdigit() else name or "TMF"


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_name(schema_name: str) -> str:
    for suffix in ("_FVO", "_MVO"):
        if schema_name.endswith(suffix):
            return schema_name[: -len(suffix)]
    return schema_name


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
