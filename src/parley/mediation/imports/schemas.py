"""The shape of a row of each kind of import: what a CSV header or a JSON lines object may
name. An interaction is a ``logInteraction`` command, the shape partner messages are checked
against (``mediation/commands.py``), so a row is refused here with the message a partner's
message would be; a customer is a person and the customer account for them.
"""

from datetime import date

from pydantic import BaseModel, Field

from parley.mediation.commands import LogInteraction
from parley.mediation.profile import Strict


class ContactDetails(Strict):
    """As ``updateContactDetails`` names them (checked by ``parties.contact_change.new_media``,
    the rules of party contact media)."""

    emailAddress: str | None = Field(default=None, min_length=1, max_length=254)
    phoneNumber: str | None = Field(default=None, min_length=1, max_length=64)
    street1: str | None = Field(default=None, min_length=1, max_length=200)
    street2: str | None = Field(default=None, min_length=1, max_length=200)
    postCode: str | None = Field(default=None, min_length=1, max_length=20)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    stateOrProvince: str | None = Field(default=None, min_length=1, max_length=100)
    country: str | None = Field(default=None, min_length=1, max_length=100)


class CustomerRow(Strict):
    """A person (TMF632 Individual) and a customer account for them (TMF629 Customer)."""

    givenName: str = Field(min_length=1, max_length=150)
    familyName: str = Field(min_length=1, max_length=150)
    birthDate: date | None = None
    name: str | None = Field(default=None, min_length=1, max_length=300)  # else the person's
    status: str | None = Field(default=None, min_length=1, max_length=16)  # else active
    account: str | None = Field(default=None, min_length=1, max_length=120)  # a billing ref
    contact: ContactDetails | None = None


InteractionRow = LogInteraction


def columns(shape: type[BaseModel], prefix: str = "") -> list[str]:
    """The names a CSV header may use for ``shape``: nested fields as ``customer.email``."""
    names = []
    for name, field in shape.model_fields.items():
        inner = field.annotation
        nested = next((t for t in getattr(inner, "__args__", (inner,)) if _is_shape(t)), None)
        if nested is not None:
            names += columns(nested, f"{prefix}{name}.")
        else:
            names.append(prefix + name)
    return names


def _is_shape(kind) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)
