"""A TMF v4 resource as a view of the v5 document Parley stores (docs/api.md, "TMF v4 APIs").

A ``DocumentMapping`` says, per attribute, where the versions differ (a name, a shape, the
values of a status); everything else is the same in both. It converts a resource both ways:

- ``to_v4``: the stored v5 document as v4 shows it, holding only what the v4 schema knows, so
  that what is served passes v4's checks when a client sends it back (a merge patch).
- ``to_v5``: a checked v4 document as v5 stores it: converted, left with only what v5 has a
  place for, and checked against v5's create schema (which gives nested objects their
  ``@type``), so a v5 client can read and change every document, whichever version wrote it.
- ``replaced``: the v5 document of a v4 change: what the client sent back as it was shown
  keeps its stored v5 form, with what v4 cannot show (a contact medium's id, v5-only
  attributes); what changed is taken as sent.

Errors a v4 client is given name v4's paths (``contactMedium[0].characteristic.phoneNumber``)
where the service or v5's check named v5's.
"""

import copy
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from parley.api.tmf.kit.spec import Spec, SpecViolation
from parley.api.tmf.kit.v4_shapes import MEDIUM_KINDS, Convert
from parley.db.listing import Criterion
from parley.db.repository import Page
from parley.errors import InvalidInput

_DETAILS = "|".join(sorted({f for _, fields in MEDIUM_KINDS.values() for f in fields}))
# v5's paths in messages -> v4's, wherever the versions place a thing differently.
COMMON_PATHS = (
    (
        re.compile(rf"\bcontactMedium\[(\d+)\]\.({_DETAILS}|contactType)\b"),
        r"contactMedium[\1].characteristic.\2",
    ),
    (re.compile(r"\brelatedParty\[(\d+)\]\.partyOrPartyRole\."), r"relatedParty[\1]."),
)


@dataclass(frozen=True)
class Attribute:
    """Where the versions differ on one top-level attribute: its name in each, how its value
    converts (``Convert``: value, where -> value), and, for a scalar whose values differ, the
    v4 value of each v5 value that differs (``values``; filters are translated with it)."""

    v4: str
    v5: str = ""  # "": the same name
    to_v4: Convert | None = None
    to_v5: Convert | None = None
    values: dict[str, str] = field(default_factory=dict)  # v5 value -> v4 value

    @property
    def v5_name(self) -> str:
        return self.v5 or self.v4

    def shown(self, value: Any) -> Any:
        if self.to_v4 is not None:
            return self.to_v4(value, self.v4)
        return self.values.get(value, value) if isinstance(value, str) else value

    def stored(self, value: Any) -> Any:
        if self.to_v5 is not None:
            return self.to_v5(value, self.v4)
        if isinstance(value, str):
            return {v4: v5 for v5, v4 in self.values.items()}.get(value, value)
        return value


class DocumentMapping:
    def __init__(
        self,
        type_name: str,
        v4_spec: Spec,
        v5_spec: Spec,
        attributes: Iterable[Attribute],
        completed_v4: Callable[[dict], None] | None = None,
        completed_v5: Callable[[dict], None] | None = None,
        paths: Iterable[tuple[re.Pattern, str]] = (),
    ):
        """``completed_v4``/``completed_v5``: what a converted document is given where the
        other version has nothing (a default v4 requires, a name v5 requires)."""
        self.type_name = type_name
        self.v4_spec, self.v5_spec = v4_spec, v5_spec
        self.by_v4 = {a.v4: a for a in attributes}
        self.by_v5 = {a.v5_name: a for a in self.by_v4.values()}
        self.completed_v4, self.completed_v5 = completed_v4, completed_v5
        renamed = [a for a in self.by_v4.values() if a.v5 and a.v5 != a.v4]
        self.paths = (
            *COMMON_PATHS,
            *paths,
            *((re.compile(rf"(^|; ){re.escape(a.v5)}(?=[.\[:]|$)"), rf"\1{a.v4}") for a in renamed),
        )

    # -- documents ---------------------------------------------------------------------------

    def to_v4(self, v5: dict) -> dict:
        """The stored document as v4 shows it."""
        shown = {}
        for key, value in v5.items():
            attribute = self.by_v5.get(key)
            if attribute is None:
                shown[key] = value
            else:
                shown[attribute.v4] = attribute.shown(value)
        shown = self.v4_spec.pruned(shown, self.type_name)  # a copy: completed freely
        if self.completed_v4 is not None:
            self.completed_v4(shown)
        return shown

    def to_v5(self, v4: dict) -> dict:
        """A checked v4 document (a create's) as v5 stores it; InvalidInput naming v4's paths
        where v5 refuses it."""
        return self._checked_v5(self._converted(v4))

    def replaced(self, current: dict, sent: dict) -> dict:
        """The v5 document of a v4 change: ``sent`` is the checked v4 document (the stored
        one, shown in v4, with the client's merge patch applied), ``current`` the stored v5
        document."""
        shown = self._checked_v4(current)
        changed = self._converted(sent)
        for key, stored in current.items():
            name = self._v4_name(key)
            if name not in shown:
                changed.setdefault(key, stored)  # v4 has no place for it: kept
            elif sent.get(name) == shown[name]:
                changed[key] = stored  # sent back as shown: as stored
            elif isinstance(stored, list) and isinstance(sent.get(name), list):
                changed[key] = _kept_items(stored, shown[name], sent[name], changed[key])
        for name, value in shown.items():
            key = self._v5_name(name)
            if key not in current and sent.get(name) == value:
                changed.pop(key, None)  # a default v4 shows, never stored
        return self._checked_v5(changed)

    # -- list queries --------------------------------------------------------------------

    def page(self, page: Page) -> Page:
        """A v4 list query as v5's: attributes by their v5 names, values as stored."""
        criteria = tuple(self._criterion(c) for c in page.criteria)
        return replace(page, criteria=criteria)  # the same page.info, where the answer is read

    def _criterion(self, criterion: Criterion) -> Criterion:
        attribute = self.by_v4.get(criterion.name)
        if attribute is None:
            return criterion
        stored = {v4: v5 for v5, v4 in attribute.values.items()}
        values = tuple(stored.get(v, v) if isinstance(v, str) else v for v in criterion.values)
        return replace(criterion, name=attribute.v5_name, values=values)

    # -- errors --------------------------------------------------------------------------

    @contextmanager
    def explained(self) -> Iterator[None]:
        """Invalid input the service refuses, said in v4's paths."""
        try:
            yield
        except InvalidInput as refused:
            if type(refused) is not InvalidInput:
                raise
            field = refused.field and self._v4_paths(refused.field)
            raise InvalidInput(self._v4_paths(refused.message), field) from None

    def _v4_paths(self, message: str) -> str:
        for pattern, v4 in self.paths:
            message = pattern.sub(v4, message)
        return message

    # -- conversion ----------------------------------------------------------------------

    def _converted(self, v4: dict) -> dict:
        converted = {}
        for key, value in copy.deepcopy(v4).items():  # completed freely
            attribute = self.by_v4.get(key)
            if attribute is None:
                converted[key] = value
            else:
                converted[attribute.v5_name] = attribute.stored(value)
        if self.completed_v5 is not None:
            self.completed_v5(converted)
        return converted

    def _checked_v5(self, document: dict) -> dict:
        schema = f"{self.type_name}{self.v5_spec.body_suffixes[0]}"
        kept = self.v5_spec.pruned(document, schema)
        try:
            return self.v5_spec.validate(kept, schema, in_place=True)
        except SpecViolation as violation:
            message = self._v4_paths("; ".join(violation.problems))
            raise InvalidInput(message) from None

    def _checked_v4(self, v5: dict) -> dict:
        """The stored document as shown, with what v4's check infers (the ``@type``s): as the
        document a client sends back is after the same check."""
        shown = self.to_v4(v5)
        try:
            return self.v4_spec.validate(shown, f"{self.type_name}{self.v4_spec.body_suffixes[0]}")
        except SpecViolation:
            return shown

    def _v4_name(self, key: str) -> str:
        attribute = self.by_v5.get(key)
        return key if attribute is None else attribute.v4

    def _v5_name(self, name: str) -> str:
        attribute = self.by_v4.get(name)
        return name if attribute is None else attribute.v5_name


def _kept_items(stored: list, shown: list, sent: list, changed: list) -> list:
    """A list's items: each sent back as shown is the stored one it shows; others as sent."""
    if len(stored) != len(shown) or len(sent) != len(changed):
        return changed
    unused = list(range(len(shown)))
    kept = []
    for index, item in enumerate(sent):
        match = next((i for i in unused if shown[i] == item), None)
        if match is None:
            kept.append(changed[index])
        else:
            unused.remove(match)
            kept.append(stored[match])
    return kept
