"""Demo data: a German telco's customer base, loaded through the services so every rule applies.

Each document is built with Faker (de_DE), checked against the TMF schema exactly as the API
edge checks it, then handed to PartyService / VerificationService: phone numbers are
canonicalised, customer numbers drawn and keys indexed as for any other caller.
"""

import copy
import random
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import phonenumbers
from faker import Faker
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.api.tmf.customer.routes import SPEC_FILE as CUSTOMER_SPEC
from parley.api.tmf.kit.spec import load_spec
from parley.api.tmf.party.routes import SPEC_FILE as PARTY_SPEC
from parley.changes import UnitOfWork
from parley.db.repository import Page
from parley.demo.accounts import open_demo_accounts
from parley.demo.data import LEGAL_FORMS, MOBILE_PREFIXES, NOTES, SEATS, STATUS_REASONS, TRADES
from parley.demo.interactions import log_demo_interactions
from parley.demo.offers import create_demo_offers
from parley.demo.show import try_it
from parley.demo.users import create_demo_users
from parley.parties.duplicates import DuplicateSuspected
from parley.parties.models import Customer, Party
from parley.parties.service import PRIMARY_CONTACT_ROLE, PartyService
from parley.parties.verification import VerificationService
from parley.settings import Settings

AUTHOR = "demo-agent"
LOADER = Actor("demo-loader", "cli")
DEMO_PIN = "1234"
DEMO_QUESTION = "What was the name of your first pet?"
DEMO_ANSWER = "Bello"
SECURED_CUSTOMERS = 10  # argon2 costs ~50 ms per hash: a handful is enough to demo verification
RECYCLED_NUMBERS = 2
ORGANIZATION_SHARE = 0.2
STATUS_SHARES = {"prospective": 0.08, "suspended": 0.06, "disconnected": 0.05, "closed": 0.03}
# A fixed "today": the data set is the same for a seed whatever day it is loaded.
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass
class _Slot:
    kind: str  # "Individual" or "Organization"
    status: str
    recycle: str | None = None  # "former" or "current" owner of a recycled number


@dataclass
class _Made:
    customer: Customer
    party: Party
    phone: str | None  # E.164, as stored


@dataclass
class _Tally:
    counts: Counter = field(default_factory=Counter)
    made: list[_Made] = field(default_factory=list)
    secured: list[_Made] = field(default_factory=list)
    recycled: list[tuple[_Made, _Made]] = field(default_factory=list)


def load_demo(
    session: Session, settings: Settings, customers: int, seed: int, if_empty: bool
) -> str:
    """Create ``customers`` demo customers with their parties; return a summary for people."""
    uow = UnitOfWork(session, settings, LOADER)
    _, existing = PartyService(uow).find_customers(Page({}, 0, 1))
    if if_empty and existing:
        return f"Demo data not loaded: the database already has {existing} customers."
    started = time.perf_counter()
    loader = _Loader(session, settings, seed)
    loader.run(customers)
    loader.tally.counts["interactions"] = log_demo_interactions(
        uow,
        [m.customer.id for m in loader.tally.made],
        ANCHOR,
        seed,
    )
    loader.tally.counts["billing accounts"] = open_demo_accounts(
        session, settings, [(m.customer, m.party) for m in loader.tally.made], seed
    )
    loader.tally.counts["offerings"] = create_demo_offers(uow)
    # The self-service log-in, and the README's examples: a person with a phone if there is one.
    active = [m for m in loader.tally.made if m.customer.status == "active"]
    people = [m for m in active if m.party.kind == "Individual" and m.phone]
    example = (people or active or [None])[0]
    logins = create_demo_users(session, settings, example.customer if example else None)
    summary = _summary(loader.tally, seed, time.perf_counter() - started)
    shown = [summary, "", "Log in (POST /oauth/token, or Authorize in /docs) as:", *logins]
    if example is not None:
        shown += ["", *try_it(example.customer, example.party, settings.default_phone_region)]
    shown += ["", "`parley demo --show` says all this again."]
    return "\n".join(shown)


def _plan(customers: int, rng: random.Random) -> list[_Slot]:
    """Kinds and statuses, in creation order; former owners of recycled numbers come first."""
    statuses: list[str] = []
    if customers >= 10:
        for status, share in STATUS_SHARES.items():
            statuses += [status] * max(1, round(customers * share))
    statuses = (statuses + ["active"] * customers)[:customers]
    organizations = round(customers * ORGANIZATION_SHARE)
    kinds = ["Organization"] * organizations + ["Individual"] * (customers - organizations)
    rng.shuffle(statuses)
    rng.shuffle(kinds)
    slots = [_Slot(kind, status) for kind, status in zip(kinds, statuses, strict=True)]
    formers = [i for i, s in enumerate(slots) if s.status == "disconnected"][:RECYCLED_NUMBERS]
    for i in formers:  # a former owner of a mobile number is a person: trade kinds if needed
        if slots[i].kind == "Organization":
            j = next(j for j, s in enumerate(slots) if s.kind == "Individual" and j not in formers)
            slots[i].kind, slots[j].kind = "Individual", "Organization"
    takers = [
        s
        for i, s in enumerate(slots)
        if i not in formers and s.kind == "Individual" and s.status == "active"
    ]
    formers = formers[: len(takers)]
    for i, slot in zip(formers, rng.sample(takers, len(formers)), strict=True):
        slots[i].recycle, slot.recycle = "former", "current"
    return [slots[i] for i in formers] + [s for i, s in enumerate(slots) if i not in formers]


class _Loader:
    def __init__(self, session: Session, settings: Settings, seed: int):
        self.fake = Faker("de_DE")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        # The data is written by the loader; notes as if an agent had written them.
        uow = UnitOfWork(session, settings, LOADER)
        self.parties = PartyService(uow)
        self.notes = PartyService(uow.acting_as(Actor(AUTHOR, "phone")))
        self.security = VerificationService(uow)
        self.party_spec = load_spec(PARTY_SPEC)
        self.customer_spec = load_spec(CUSTOMER_SPEC)
        self.phones: set[str] = set()  # numbers handed out: no owner shares one by accident
        self.accounts: set[str] = set()
        self.tally = _Tally()

    def run(self, customers: int) -> None:
        pool: list[tuple[_Made, datetime]] = []  # recycled numbers waiting for a new owner
        for slot in _plan(customers, self.rng):
            if slot.kind == "Organization":
                made = self._organization_customer(slot.status)
            elif slot.recycle == "former":
                made, ended = self._former_owner()
                pool.append((made, ended))
            elif slot.recycle == "current":
                former, ended = pool.pop(0)
                made = self._individual_customer(slot.status, (former.phone, ended))
                self.tally.recycled.append((former, made))
            else:
                made = self._individual_customer(slot.status)
            self._annotate(made)
            self.tally.made.append(made)
            self.tally.counts[slot.status] += 1
            self.tally.counts[slot.kind] += 1

    # -- customers -----------------------------------------------------------------------

    def _individual_customer(self, status: str, takeover=None) -> _Made:
        """``takeover`` = (E.164 number, date the former owner lost it)."""
        address = self._address()
        since = self._instant(ANCHOR - timedelta(days=15 * 365), ANCHOR - timedelta(days=30))
        if takeover:
            since = takeover[1] + timedelta(days=self.rng.randint(120, 300))
            phone = {**self._phone_medium(takeover[0]), "validFor": {"startDateTime": _iso(since)}}
        else:
            phone = self._phone_medium(self._mobile())
        party = self._create_party("Individual", self._person_doc(status, phone, address))
        related = []
        if self.rng.random() < 0.15:  # a family member who may call on the customer's behalf
            phone = self._phone_medium(self._mobile())
            doc = self._person_doc("active", phone, address, party.document["familyName"])
            related.append(_related("contact", self._create_party("Individual", doc)))
        return self._create_customer(party, status, since, "residential", related)

    def _former_owner(self) -> tuple[_Made, datetime]:
        """A disconnected customer whose mobile number has gone back to the pool."""
        since = self._instant(ANCHOR - timedelta(days=12 * 365), ANCHOR - timedelta(days=6 * 365))
        ended = self._instant(ANCHOR - timedelta(days=4 * 365), ANCHOR - timedelta(days=2 * 365))
        number = self._mobile()
        phone = {
            **self._phone_medium(number),
            "validFor": {"startDateTime": _iso(since), "endDateTime": _iso(ended)},
        }
        party = self._create_party(
            "Individual", self._person_doc("disconnected", phone, self._address())
        )
        made = self._create_customer(party, "disconnected", since, "residential", [], ended)
        self.notes.add_note(
            made.customer.id,
            f"Contract ended; number {made.phone} returned to the pool after quarantine.",
        )
        self.tally.counts["notes"] += 1
        return made, ended

    def _organization_customer(self, status: str) -> _Made:
        name, domain = self._company_name()
        doc = self._organization_doc(name, status, self.rng.choice(SEATS), domain)
        party = self._create_party("Organization", doc)
        roles = [PRIMARY_CONTACT_ROLE] + self.rng.sample(
            ["billingContact", "technicalContact"], self.rng.randint(0, 2)
        )
        related = []
        for role in roles:
            phone = self._phone_medium(self._mobile(), "work")
            person = self._person_doc("active", phone, {}, email_domain=domain)
            related.append(_related(role, self._create_party("Individual", person)))
        since = self._instant(ANCHOR - timedelta(days=20 * 365), ANCHOR - timedelta(days=30))
        return self._create_customer(party, status, since, "business", related)

    def _create_customer(
        self,
        party: Party,
        status: str,
        since: datetime,
        segment: str,
        related: list[dict],
        ended: datetime | None = None,
    ) -> _Made:
        doc: dict = {
            "@type": "Customer",
            "name": party.display_name,
            "status": status,
            "engagedParty": {
                "@type": "PartyRef",
                "id": party.id,
                "@referredType": party.kind,
                "name": party.display_name,
            },
            "validFor": {"startDateTime": _iso(since)},
            "characteristic": [
                {
                    "@type": "StringCharacteristic",
                    "name": "segment",
                    "valueType": "string",
                    "value": segment,
                }
            ],
        }
        if status in STATUS_REASONS:
            doc["statusReason"] = self.rng.choice(STATUS_REASONS[status])
        if status in ("disconnected", "closed"):
            ended = ended or self._instant(since + timedelta(days=1), ANCHOR)
            doc["validFor"]["endDateTime"] = _iso(ended)
        if status != "prospective":
            doc["account"] = self._accounts(party, segment)
        if related:
            doc["relatedParty"] = related
        checked = self.customer_spec.validate(doc, "Customer_FVO")
        try:
            customer = self.parties.create_customer(copy.deepcopy(checked))
        except DuplicateSuspected:
            # Generated people may happen to look alike (a common name in the same town): kept,
            # as real data would be, with the override recorded in the audit trail.
            customer = self.parties.create_customer(checked, force=True)
            self.tally.counts["forced"] += 1
        self.tally.counts["contacts"] += len(related)
        return _Made(customer, party, _phone_of(party))

    def _accounts(self, party: Party, segment: str) -> list[dict]:
        names = (
            ["Mobile postpaid"]
            if segment == "residential"
            else ["Business mobile", "Office internet & landline"]
        )
        if segment == "residential" and self.rng.random() < 0.4:
            names.append("Home internet & landline")
        if segment == "business":
            names = names[: self.rng.randint(1, 2)]
        return [
            {
                "@type": "AccountRef",
                "id": self._account_id(),
                "name": f"{party.display_name} - {name}",
            }
            for name in names
        ]

    def _annotate(self, made: _Made) -> None:
        """Notes for some customers; PIN and security question for the first active ones."""
        customer = made.customer
        texts = []
        if customer.status in ("suspended", "disconnected", "closed"):
            reason = customer.document["statusReason"].lower()
            texts.append(f"Status set to {customer.status}: {reason}.")
        if self.rng.random() < 0.25:
            texts += self.rng.sample(NOTES, self.rng.randint(1, 2))
        for text in texts:
            self.notes.add_note(customer.id, text)
        self.tally.counts["notes"] += len(texts)
        secured = self.tally.secured
        if customer.status == "active" and len(secured) < SECURED_CUSTOMERS and made.phone:
            self.security.set_security(customer.id, DEMO_PIN, [(DEMO_QUESTION, DEMO_ANSWER)])
            secured.append(made)

    # -- parties -------------------------------------------------------------------------

    def _create_party(self, kind: str, doc: dict) -> Party:
        checked = self.party_spec.validate(doc, f"{kind}_FVO")
        self.tally.counts["parties"] += 1
        return self.parties.create_party(kind, checked)

    def _person_doc(
        self,
        status: str,
        phone: dict,
        address: dict,
        family: str | None = None,
        email_domain: str | None = None,
    ) -> dict:
        female = self.rng.random() < 0.5
        given = self.fake.first_name_female() if female else self.fake.first_name_male()
        family = family or self.fake.last_name()
        media = [phone]
        if email_domain or self.rng.random() < 0.85:
            media.append(self._email_medium(given, family, email_domain))
        if address:
            media.append(address)
        doc = {
            "@type": "Individual",
            "givenName": given,
            "familyName": family,
            "gender": "female" if female else "male",
            "status": "initialized" if status == "prospective" else "validated",
            "contactMedium": media,
        }
        if not email_domain:
            born = self._instant(
                ANCHOR - timedelta(days=88 * 365), ANCHOR - timedelta(days=19 * 365)
            )
            doc["birthDate"] = born.strftime("%Y-%m-%dT00:00:00Z")
        if self.rng.random() < 0.05:
            doc["title"] = "Dr."
        if not email_domain and self.rng.random() < 0.4:
            doc["individualIdentification"] = [
                {
                    "@type": "IndividualIdentification",
                    "identificationType": "idCard",
                    "identificationId": "".join(
                        self.rng.choices("CFGHJKLMNPRTVWXYZ0123456789", k=9)
                    ),
                    "issuingAuthority": "Bundesrepublik Deutschland",
                }
            ]
        return doc

    def _organization_doc(self, name: str, status: str, seat: tuple, domain: str) -> dict:
        city, area, court = seat
        register = "HRA" if name.endswith(("KG", "e.K.")) else "HRB"
        return {
            "@type": "Organization",
            "name": name,
            "isLegalEntity": True,
            "organizationType": "company",
            "status": "initialized" if status == "prospective" else "validated",
            "organizationIdentification": [
                {
                    "@type": "OrganizationIdentification",
                    "identificationType": "commercialRegister",
                    "identificationId": f"{register} {self.rng.randint(1000, 299999)}",
                    "issuingAuthority": court,
                }
            ],
            "contactMedium": [
                self._phone_medium(self._number(area, 10 - len(area)), "business"),
                {
                    "@type": "EmailContactMedium",
                    "contactType": "business",
                    "emailAddress": f"info@{domain}",
                },
                {
                    "@type": "GeographicAddressContactMedium",
                    "contactType": "business",
                    "preferred": True,
                    "street1": self.fake.street_address(),
                    "postCode": self.fake.postcode(),
                    "city": city,
                    "country": "DE",
                },
            ],
        }

    def _company_name(self) -> tuple[str, str]:
        """The registered name and a mail domain made from it."""
        name = self.fake.last_name()
        if self.rng.random() < 0.4:
            name += f" {self.rng.choice(TRADES)}"
        elif self.rng.random() < 0.3:
            name += f" & {self.fake.last_name()}"
        return f"{name} {self.rng.choice(LEGAL_FORMS)}", f"{_slug(name)}.example.com"

    # -- contact media -------------------------------------------------------------------

    def _address(self) -> dict:
        return {
            "@type": "GeographicAddressContactMedium",
            "contactType": "home",
            "preferred": True,
            "street1": self.fake.street_address(),
            "postCode": self.fake.postcode(),
            "city": self.fake.city(),
            "country": "DE",
        }

    def _email_medium(self, given: str, family: str, domain: str | None) -> dict:
        first, last = _slug(given), _slug(family)
        contact_type = "work" if domain else "private"
        if domain:
            local = f"{first}.{last}"
        else:
            domain = self.rng.choice(("example.com", "example.org", "example.net"))
            local = self.rng.choice(
                (f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}{self.rng.randint(1, 99)}")
            )
        return {
            "@type": "EmailContactMedium",
            "contactType": contact_type,
            "emailAddress": f"{local}@{domain}",
        }

    def _phone_medium(self, number: str, contact_type: str = "mobile") -> dict:
        return {
            "@type": "PhoneContactMedium",
            "contactType": contact_type,
            "preferred": True,
            "phoneNumber": self._written(number),
        }

    def _mobile(self) -> str:
        return self._number(self.rng.choice(MOBILE_PREFIXES), 7)

    def _number(self, prefix: str, digits: int) -> str:
        """A valid German number no one holds yet: +49, ``prefix``, then ``digits`` digits."""
        while True:
            number = f"+49{prefix}" + "".join(self.rng.choices("0123456789", k=digits))
            valid = phonenumbers.is_valid_number(phonenumbers.parse(number))
            if valid and number not in self.phones:
                self.phones.add(number)
                return number

    def _written(self, e164: str) -> str:
        """The number as people type it: the service must store every form as E.164."""
        style = self.rng.choice(("INTERNATIONAL", "NATIONAL", "SLASH"))
        written = phonenumbers.format_number(
            phonenumbers.parse(e164),
            getattr(phonenumbers.PhoneNumberFormat, "NATIONAL" if style == "SLASH" else style),
        )
        return written.replace(" ", "/", 1) if style == "SLASH" else written

    def _account_id(self) -> str:
        while True:
            ref = f"BA-{self.rng.randint(10_000_000, 99_999_999)}"
            if ref not in self.accounts:
                self.accounts.add(ref)
                return ref

    def _instant(self, start: datetime, end: datetime) -> datetime:
        seconds = self.rng.randint(0, int((end - start).total_seconds()))
        return (start + timedelta(seconds=seconds)).replace(microsecond=0)


def _related(role: str, party: Party) -> dict:
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": role,
        "partyOrPartyRole": {
            "@type": "PartyRef",
            "id": party.id,
            "@referredType": party.kind,
            "name": party.display_name,
        },
    }


def _phone_of(party: Party) -> str | None:
    media = party.document.get("contactMedium", [])
    return next((m["phoneNumber"] for m in media if m["@type"] == "PhoneContactMedium"), None)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.lower().translate(_UMLAUTS))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(tally: _Tally, seed: int, seconds: float) -> str:
    counts = tally.counts
    statuses = ", ".join(
        f"{s} {counts[s]}" for s in ("active", "prospective", "suspended", "disconnected", "closed")
    )
    lines = [
        f"Demo data loaded (seed {seed}) in {seconds:.1f} s:",
        f"  customers: {len(tally.made)} ({counts['Individual']} individuals, "
        f"{counts['Organization']} organisations): {statuses}",
        f"  parties: {counts['parties']} (incl. {counts['contacts']} contact persons); "
        f"notes: {counts['notes']}; interactions: {counts['interactions']}; "
        f"billing accounts: {counts['billing accounts']}; offerings: {counts['offerings']}",
        f"  created despite likely duplicates (audited as create_forced): {counts['forced']}",
        "",
        "Try GET /api/v1/identify?q=<customer number | phone | name> with:",
    ]
    examples = (
        tally.secured[:4]
        + [
            m
            for m in tally.made
            if m.party.kind == "Organization" and m.customer.status == "active"
        ][:2]
    )
    for made in examples:
        lines.append(
            f"  {made.customer.name:<40} {made.customer.customer_number}  {made.phone}"
            f"  ({made.party.city}, {made.customer.status})"
        )
    for former, current in tally.recycled:
        lines.append(
            f"  recycled number {current.phone}: now {current.customer.name} "
            f"({current.customer.customer_number}), formerly {former.customer.name} "
            f"({former.customer.customer_number}, disconnected)"
        )
    if tally.secured:
        lines += [
            "",
            f'Verification: PIN {DEMO_PIN}, security question "{DEMO_QUESTION}" '
            f'answer "{DEMO_ANSWER}", for these {len(tally.secured)} customers:',
            "  " + ", ".join(m.customer.customer_number for m in tally.secured),
        ]
    return "\n".join(lines)
