"""Tables for parties (individuals, organisations), customers and the keys that identify them.

The TMF document of each resource is kept whole in ``document``; the columns beside it are
projections used for constraints, filters and identification.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

PARTY_KINDS = ("Individual", "Organization")
CUSTOMER_STATUSES = ("prospective", "active", "suspended", "disconnected", "closed")
# Customers in these states are no longer served but stay findable, flagged as historical.
INACTIVE_CUSTOMER_STATUSES = ("disconnected", "closed")
KEY_KINDS = ("phone", "email", "national_id", "external_id")
ACCOUNT_STATES = ("active", "suspended", "closed")
# TMF670 payment method types a billing account may be paid by.
PAYMENT_METHODS = (
    "BankAccountDebit",
    "BankAccountTransfer",
    "BankCard",
    "DigitalWallet",
    "Cash",
)
BILL_DELIVERIES = ("email", "postal")


class Party(Base):
    __tablename__ = "party"
    __table_args__ = (
        Index("ix_party_kind_created", "kind", "created_at", "id"),
        CheckConstraint("kind IN ('Individual', 'Organization')", name="kind"),
        CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
        Index("ix_party_family_name", "family_name"),
        Index("ix_party_status", "status"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(300))
    given_name: Mapped[str | None] = mapped_column(String(150))
    family_name: Mapped[str | None] = mapped_column(String(150))
    city: Mapped[str | None] = mapped_column(String(150))
    # Lower-cased, accent-free "name city" text behind the trigram index.
    search_text: Mapped[str] = mapped_column(String(500))
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartyKey(Base):
    """An exact identification key of a party (E.164 phone, email, national id) and its validity.

    Phone numbers are recycled: a key whose ``valid_to`` has passed names a former owner.
    """

    __tablename__ = "party_key"
    __table_args__ = (
        CheckConstraint("kind IN ('phone', 'email', 'national_id', 'external_id')", name="kind"),
        CheckConstraint("length(value) > 0", name="value_not_empty"),
        Index("ix_party_key_lookup", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    # Set when the key comes from the customer's own contact media rather than the party's.
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Customer(Base):
    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_created", "created_at", "id"),
        Index("ix_customer_name", "name", "id"),
        CheckConstraint(
            "status IN ('prospective', 'active', 'suspended', 'disconnected', 'closed')",
            name="status",
        ),
        CheckConstraint("length(customer_number) >= 6", name="customer_number_length"),
        Index("ix_customer_status_created", "status", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_number: Mapped[str] = mapped_column(String(20), unique=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerContact(Base):
    """A person to deal with for a customer account: the primary contact and any others."""

    __tablename__ = "customer_contact"
    __table_args__ = (CheckConstraint("length(role) > 0", name="role_not_empty"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class CustomerAccount(Base):
    """Account references of a customer (billing account numbers a caller may quote)."""

    __tablename__ = "customer_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    account_ref: Mapped[str] = mapped_column(String(120), index=True)


class CustomerNote(Base):
    """Free-form notes, append-only: the history of what agents wrote about a customer."""

    __tablename__ = "customer_note"
    __table_args__ = (
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        Index("ix_customer_note_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    author: Mapped[str] = mapped_column(String(150))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerSecurity(Base):
    """The customer's hashed PIN and the verification lock state."""

    __tablename__ = "customer_security"

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SecurityQuestion(Base):
    __tablename__ = "security_question"
    __table_args__ = (CheckConstraint("length(question) > 0", name="question_not_empty"),)

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(300))
    answer_hash: Mapped[str] = mapped_column(String(200))


class VerificationAttempt(Base):
    """Every verification check: who asked, how, when, and whether it passed."""

    __tablename__ = "verification_attempt"
    __table_args__ = (
        CheckConstraint("outcome IN ('passed', 'failed', 'locked')", name="outcome"),
        Index("ix_verification_attempt_customer_at", "customer_id", "attempted_at"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    asked_by: Mapped[str] = mapped_column(String(150))
    channel: Mapped[str] = mapped_column(String(32))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BillingAccount(Base):
    """A customer's billing account (TMF666). What billing cannot do without (the owner, a
    contact, the billing address, the payment method, how bills are delivered) is a column the
    database itself requires, not only a rule of the service."""

    __tablename__ = "billing_account"
    __table_args__ = (
        Index("ix_billing_account_created", "created_at", "id"),
        CheckConstraint("state IN ('active', 'suspended', 'closed')", name="state"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "payment_method IN ('BankAccountDebit', 'BankAccountTransfer', 'BankCard', "
            "'DigitalWallet', 'Cash')",
            name="payment_method",
        ),
        CheckConstraint("bill_delivery IN ('email', 'postal')", name="bill_delivery"),
        CheckConstraint(
            "bill_delivery <> 'email' OR bill_delivery_email IS NOT NULL",
            name="email_delivery_has_address",
        ),
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        CheckConstraint(
            "length(billing_street) > 0 AND length(billing_postcode) > 0 "
            "AND length(billing_city) > 0 AND length(billing_country) > 0",
            name="billing_address_complete",
        ),
        Index("ix_billing_account_customer", "customer_id", "created_at"),
        Index("ix_billing_account_primary_contact", "contact_party_id"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    # The primary account contact: a person or organisation known to Parley.
    contact_party_id: Mapped[str] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    payment_method: Mapped[str] = mapped_column(String(32))
    bill_delivery: Mapped[str] = mapped_column(String(16))
    bill_delivery_email: Mapped[str | None] = mapped_column(String(320))
    billing_street: Mapped[str] = mapped_column(String(200))
    billing_postcode: Mapped[str] = mapped_column(String(20))
    billing_city: Mapped[str] = mapped_column(String(150))
    billing_country: Mapped[str] = mapped_column(String(60))
    credit_limit: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    document: Mapped[dict] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BillingAccountContact(Base):
    """The people to deal with about an account, each in a role; one of them is the primary."""

    __tablename__ = "billing_account_contact"
    __table_args__ = (
        CheckConstraint("length(role) > 0", name="role_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # At most one primary contact per account, enforced by the database.
        Index(
            "uq_billing_account_contact_primary",
            "account_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("billing_account.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[str | None] = mapped_column(
        ForeignKey("party.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
