"""The duplicate check: is this prospect already a customer, or already an open lead?

It asks the identification matcher (``parties.identification.matching``) about each key of the
prospect (phone numbers, emails, national ids) and about its name, and keeps what is likely the
same person: any current exact key, a name this close in the same city, or a name this close
born on the same day. A namesake elsewhere, or the former owner of a recycled number, is not a
duplicate. Each suspect carries its score and the reasons, so an agent can link instead of
duplicating. Leads run it on create and conversion, customers on create (``parties.service``).

Open leads belong to the leads domain, which sits above this one: it lends the check its
look-up (``find_open_leads_with``), plugged in at start-up by the composition root
(``parley.wiring``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from parley.changes import UnitOfWork
from parley.errors import DomainError
from parley.parties.identification.matching import Identifier, Reason
from parley.parties.identification.repository import (
    CustomerBrief,
    IdentificationRepository,
    PartyBrief,
)
from parley.parties.models import Party
from parley.parties.normalize import search_text

NAME_SCORE = 85.0  # a name reason this high (fuzzy scores top out at 95) ...
CITY_SCORE = 85.0  # ... in a city this similar is likely the same person
KEY_FIELDS = ("phone", "email", "nationalId", "national_id")
PER_LOOK = 20

# (session, party ids) -> (lead id, party id) of the leads still being worked on those parties,
# oldest first.
OpenLeadsOf = Callable[[Session, list[str]], list[tuple[str, str]]]
_open_leads_of: OpenLeadsOf | None = None


def find_open_leads_with(look_up: OpenLeadsOf) -> None:
    global _open_leads_of
    _open_leads_of = look_up


@dataclass
class Prospect:
    """What the check compares: a person or organisation, as far as it is known."""

    name: str
    city: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    party_id: str | None = None  # the prospect's own party, which is no duplicate of itself
    birth_date: str | None = None  # YYYY-MM-DD

    @classmethod
    def of_party(cls, party: Party) -> "Prospect":
        media = party.document.get("contactMedium", [])
        idents = party.document.get("individualIdentification") or party.document.get(
            "organizationIdentification", []
        )
        return cls(
            name=party.display_name,
            city=party.city,
            phones=[m["phoneNumber"] for m in media if m.get("@type") == "PhoneContactMedium"],
            emails=[m["emailAddress"] for m in media if m.get("@type") == "EmailContactMedium"],
            identifiers=[i["identificationId"] for i in idents if i.get("identificationId")],
            party_id=party.id,
            birth_date=birth_day(party.document),
        )

    def add_media(self, media: list[dict], city: str | None) -> None:
        """More keys from elsewhere: a customer's own contact media and address city."""
        for medium in media:
            phone, email = medium.get("phoneNumber"), medium.get("emailAddress")
            if medium.get("@type") == "PhoneContactMedium" and phone not in self.phones:
                self.phones.append(phone)
            if medium.get("@type") == "EmailContactMedium" and email not in self.emails:
                self.emails.append(email)
        self.city = self.city or city


@dataclass
class Suspect:
    party: PartyBrief
    customer: CustomerBrief | None
    historical: bool
    reasons: list[Reason] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)  # open leads on this party

    @property
    def score(self) -> float:
        return max(r.score for r in self.reasons)

    def as_dict(self) -> dict:
        customer = None
        if self.customer is not None:
            customer = {
                "id": self.customer.id,
                "customerNumber": self.customer.customer_number,
                "name": self.customer.name,
                "status": self.customer.status,
            }
        return {
            "score": self.score,
            "historical": self.historical,
            "party": {
                "id": self.party.id,
                "@type": self.party.kind,
                "name": self.party.display_name,
            },
            "customer": customer,
            "salesLead": self.leads,
            "reasons": [
                {"field": r.field, "match": r.match, "value": r.value, "score": r.score}
                for r in self.reasons
            ],
        }

    def summary(self, href=None) -> str:
        """One line naming the suspect (its id, and its href when ``href(referred type, id)``
        is given) with its score and reasons."""
        if self.customer:
            link = f", {href('Customer', self.customer.id)}" if href else ""
            what = (
                f"customer {self.customer.customer_number} {self.customer.name} "
                f"(id {self.customer.id}{link})"
            )
        else:
            refs = ", ".join(
                f"{lead} ({href('SalesLead', lead)})" if href else lead for lead in self.leads
            )
            what = f"open lead {refs} for {self.party.display_name}"
        why = ", ".join(f"{r.field} {r.match} {r.value}" for r in self.reasons)
        return f"{what}, score {self.score:g}: {why}"


class DuplicateSuspected(DomainError):
    """Holds the suspects (ids); the edge names them with their hrefs (``describe``)."""

    status = 409
    code = "DUPLICATE_SUSPECTED"
    reason = "Likely duplicate"

    def __init__(self, suspects: list[Suspect], what: str):
        self.suspects, self.what = suspects, what
        super().__init__(self.describe(None))

    def describe(self, links) -> str:
        href = links.href if links is not None else None
        listed = "; ".join(s.summary(href) for s in self.suspects)
        return (
            f"{self.what} looks like one already known: {listed}. Link to it, or repeat with "
            "force=true to create anyway (recorded)"
        )


def birth_day(document: dict) -> str | None:
    """The day of a TMF ``birthDate`` (a date-time): births compare by day."""
    born = document.get("birthDate")
    return born[:10] if isinstance(born, str) and len(born) >= 10 else None


class DuplicateCheck:
    def __init__(self, uow: UnitOfWork):
        if _open_leads_of is None:
            raise RuntimeError("no open-leads look-up: parley.wiring.wire() was not called")
        self.session = uow.session
        self.identifier = Identifier(uow)
        self.parties = IdentificationRepository(uow.session)

    def suspects(self, prospect: Prospect, exclude_lead: str | None = None) -> list[Suspect]:
        """Existing customers and open leads that are likely this prospect, best first."""
        found: dict[tuple[str, str | None], Suspect] = {}
        for key in (*prospect.phones, *prospect.emails, *prospect.identifiers):
            for candidate in self.identifier.identify(key, PER_LOOK):
                for reason in candidate.reasons:
                    if reason.match == "exact" and not reason.historical:
                        self._add(found, candidate, reason)
        if prospect.name.strip() and (prospect.city or prospect.birth_date):
            self._same_name(found, prospect)
        return self._with_leads(found, prospect.party_id, exclude_lead)

    def _same_name(self, found: dict, prospect: Prospect) -> None:
        """A name this close is a suspect only with a second sign: the city, or the birth day."""
        close = [
            (candidate, reason)
            for candidate in self.identifier.identify(prospect.name, PER_LOOK)
            for reason in candidate.reasons
            if reason.field == "name" and reason.score >= NAME_SCORE
        ]
        wanted_city = search_text(prospect.city) if prospect.city else None
        born = {}
        if prospect.birth_date:
            born = self.parties.birth_days(sorted({c.party.id for c, _ in close}))
        for candidate, reason in close:
            city = candidate.party.city
            if wanted_city and city and fuzz.ratio(wanted_city, search_text(city)) >= CITY_SCORE:
                self._add(found, candidate, reason)
                self._add(found, candidate, Reason("city", "exact", city, reason.score))
            day = born.get(candidate.party.id)
            if day and day == prospect.birth_date:
                self._add(found, candidate, reason)
                self._add(found, candidate, Reason("birthDate", "exact", day, reason.score))

    def _with_leads(self, found: dict, own_party: str | None, exclude_lead: str | None):
        party_ids = sorted({party_id for party_id, _ in found})
        open_leads: dict[str, list[str]] = {}
        for lead_id, party_id in _open_leads_of(self.session, party_ids):
            if lead_id != exclude_lead:
                open_leads.setdefault(party_id, []).append(lead_id)
        kept = []
        for (party_id, customer_id), suspect in found.items():
            suspect.leads = open_leads.get(party_id, [])
            # A party that is neither a customer nor a lead is no duplicate to report; the
            # prospect's own party only when it is already a customer or worked on elsewhere.
            if customer_id is None and not suspect.leads:
                continue
            kept.append(suspect)
        return sorted(kept, key=lambda s: (s.historical, -s.score, s.party.display_name))

    @staticmethod
    def _add(found: dict, candidate, reason: Reason) -> None:
        # A party that is only a contact person of a customer (a company's primary contact) is
        # not that customer: it counts only for its own open leads.
        customer = candidate.customer if candidate.relation == "engagedParty" else None
        key = (candidate.party.id, customer.id if customer else None)
        historical = candidate.historical if customer else False
        suspect = found.setdefault(key, Suspect(candidate.party, customer, historical))
        if not any((r.field, r.value) == (reason.field, reason.value) for r in suspect.reasons):
            suspect.reasons.append(reason)
