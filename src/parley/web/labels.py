"""How the web applications (console, portal) show Parley's codes: words for roles, customer
statuses, what a caller was identified by, kinds of contact details, channels, statuses of
interactions, requests, tasks, SLA clocks, hand-offs and products (msgids, translated when
shown; a code without one here, such as a role an administrator made, is shown as it is), and
phone numbers."""

import phonenumbers

from parley.web.i18n import N_

ROLE_NAMES = {
    "agent": N_("Agent"),
    "supervisor": N_("Supervisor"),
    "administrator": N_("Administrator"),
    "integration": N_("Integration"),
    "customer": N_("Customer"),
}
CUSTOMER_STATUSES = {
    "prospective": N_("Prospective"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "disconnected": N_("Disconnected"),
    "closed": N_("Closed"),
}
MATCHED_FIELDS = {
    "customerNumber": N_("Customer number"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "nationalId": N_("National ID"),
    "account": N_("Account"),
    "name": N_("Name"),
    "city": N_("City"),
}
PARTY_KINDS = {"Individual": N_("Person"), "Organization": N_("Organisation")}
SEGMENTS = {"residential": N_("Residential"), "business": N_("Business")}
CONTACT_KINDS = {
    "PhoneContactMedium": N_("Phone"),
    "EmailContactMedium": N_("Email"),
    "GeographicAddressContactMedium": N_("Address"),
}
CONTACT_TYPES = {
    "mobile": N_("mobile"),
    "home": N_("home"),
    "work": N_("work"),
    "business": N_("business"),
    "private": N_("private"),
    "fax": N_("fax"),
}
USER_KINDS = {"staff": N_("Staff"), "client": N_("Client"), "customer": N_("Customer")}
# The channels an interaction is logged on, as the console offers them.
CHANNEL_NAMES = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "sms": N_("SMS"),
    "web": N_("Web"),
    "app": N_("App"),
    "chat": N_("Chat"),
    "ivr": N_("IVR"),
    "ussd": N_("USSD"),
    "store": N_("Shop"),
    "letter": N_("Letter"),
    "console": N_("Console"),
}
CHANNELS = tuple(CHANNEL_NAMES)
DIRECTIONS = {"inbound": N_("Inbound"), "outbound": N_("Outbound")}
INTERACTION_STATUSES = {
    "opened": N_("Open"),
    "inProgress": N_("In progress"),
    "completed": N_("Completed"),
}
REQUEST_STATUSES = {
    "acknowledged": N_("Acknowledged"),
    "inProgress": N_("In progress"),
    "pending": N_("Pending"),
    "held": N_("On hold"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "rejected": N_("Rejected"),
}
# What happens next to a request in each status, as the customer is told it.
NEXT_STEPS = {
    "acknowledged": N_("We have received the request; an agent will start working on it."),
    "inProgress": N_("We are working on the request."),
    "pending": N_("We are waiting for information or an action from you or a third party."),
    "held": N_("The request is on hold; we will resume it as soon as we can."),
    "resolved": N_("The request is resolved; it will be closed unless you tell us otherwise."),
    "closed": N_("Nothing: the request is closed. It can be reopened for a while if needed."),
    "cancelled": N_("Nothing: the request was cancelled."),
    "rejected": N_("Nothing: the request was rejected."),
}
PRIORITIES = {
    "critical": N_("Critical"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
}
REQUEST_OUTCOMES = {"completed": N_("Completed"), "unfulfilled": N_("Unfulfilled")}
SLA_STATES = {
    "onTrack": N_("On track"),
    "atRisk": N_("At risk"),
    "breached": N_("Breached"),
    "paused": N_("Paused"),
    "met": N_("Met"),
    "missed": N_("Missed"),
}
# How a contact ended, as the agent records it when wrapping up.
CONTACT_OUTCOMES = {
    "resolved": N_("Resolved on this contact"),
    "informed": N_("Information given"),
    "requestRaised": N_("Request raised"),
    "followUp": N_("Follow-up needed"),
    "noAnswer": N_("Customer not reached"),
}
TASK_STATES = {
    "open": N_("Open"),
    "claimed": N_("Claimed"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}
ACCOUNT_STATES = {"active": N_("Active"), "suspended": N_("Suspended"), "closed": N_("Closed")}
PAYMENT_METHODS = {
    "BankAccountDebit": N_("Direct debit"),
    "BankAccountTransfer": N_("Bank transfer"),
    "BankCard": N_("Card"),
    "DigitalWallet": N_("Digital wallet"),
    "Cash": N_("Cash"),
}
BILL_DELIVERIES = {"email": N_("Bill by email"), "postal": N_("Bill by post")}
MESSAGE_CHANNELS = {"email": N_("Email"), "sms": N_("SMS")}
LANGUAGES = {"de": N_("German"), "en": N_("English")}
SUMMARY_POLICIES = {
    "never": N_("No summary"),
    "agentDecides": N_("Summary if the agent decides"),
    "always": N_("Summary always sent"),
}
RELATED_KINDS = {
    "TroubleTicket": N_("Request"),
    "CommunicationMessage": N_("Message"),
    "SalesLead": N_("Sales lead"),
    "ProductOrder": N_("Order"),
}
CHARACTERISTICS = {
    "billNumber": N_("Bill number"),
    "productOffering": N_("Product offering"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "billingAccount": N_("Billing account"),
    "emailAddress": N_("Email"),
    "phoneNumber": N_("Phone"),
    "correlationId": N_("Correlation id"),
    "productOrderId": N_("Order id (ordering system)"),
}
# The seeded reasons and request types are data, in English: their names are msgids too, so
# the console shows them translated (one an administrator adds is shown as written).
SEEDED_NAMES = (
    N_("Billing enquiry"),
    N_("Bill dispute"),
    N_("Bill issued"),
    N_("Payment or direct debit"),
    N_("Fault report"),
    N_("Service outage"),
    N_("New product or service"),
    N_("Order status"),
    N_("Tariff or plan change"),
    N_("Change of contact details"),
    N_("Cancellation"),
    N_("Complaint"),
    N_("Request status enquiry"),
    N_("General information"),
    N_("Notification to the customer"),
    N_("Add-on or bundle selection"),
    N_("Fault repair"),
    N_("Monetary adjustment"),
    N_("Internal or network ticket"),
    # The seeded workflows' tasks and task queues.
    N_("Diagnose the fault"),
    N_("Repair the fault"),
    N_("Confirm the repair with the customer"),
    N_("Review the disputed charge"),
    N_("Tell the customer the outcome"),
    N_("Call the customer back"),
    N_("Triage and handle the ticket"),
    N_("Technical support"),
    N_("Field engineering"),
    N_("Billing"),
    N_("Customer care"),
    N_("Escalations"),
)
APPROVAL_STATUSES = {
    "pending": N_("Waiting"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
LEAD_STATUSES = {
    "acknowledged": N_("New"),
    "inProgress": N_("Being worked"),
    "qualified": N_("Qualified"),
    "rejected": N_("Rejected"),
    "converted": N_("Converted"),
    "cancelled": N_("Cancelled"),
}
LEAD_RATINGS = {"hot": N_("Hot"), "warm": N_("Warm"), "cold": N_("Cold")}
CALL_STATES = {
    "ringing": N_("Ringing"),
    "answered": N_("Answered"),
    "completed": N_("Completed"),
    "missed": N_("Missed"),
}
# What a request waits for (requests/handoffs), as the customer is told it.
WAITING_FOR = {
    "order": N_("We have passed your order on and are waiting for its confirmation."),
    "billing": N_("We have passed the adjustment to billing and are waiting for its confirmation."),
}
HANDOFF_KINDS = {
    "order": N_("Order to the ordering system"),
    "billing": N_("Adjustment to the billing system"),
}
HANDOFF_STATES = {
    "waiting": N_("Waiting for an answer"),
    "completed": N_("Completed"),
    "unfulfilled": N_("Not done"),
    "ended": N_("No longer awaited"),
}
ACKNOWLEDGEMENT_OUTCOMES = {"applied": N_("Applied"), "ignored": N_("Not applied")}
PRODUCT_STATES = {
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "terminated": N_("Ended"),
}
INBOUND_STATES = {
    "received": N_("Received"),
    "parsed": N_("Read, to apply"),
    "applied": N_("Applied"),
    "rejected": N_("Rejected"),
    "dead": N_("Gave up"),
}
INBOUND_SOURCES = {
    "email": N_("Email"),
    "partner": N_("Partner message"),
    "import": N_("Import"),
    "callback": N_("Callback"),
}
LABELS = {
    "rating": LEAD_RATINGS,
    "approval": APPROVAL_STATUSES,
    "lead_status": LEAD_STATUSES,
    "role": ROLE_NAMES,
    "status": CUSTOMER_STATUSES,
    "field": MATCHED_FIELDS,
    "party": PARTY_KINDS,
    "segment": SEGMENTS,
    "contact": CONTACT_KINDS,
    "contact_type": CONTACT_TYPES,
    "user_kind": USER_KINDS,
    "channel": CHANNEL_NAMES,
    "direction": DIRECTIONS,
    "interaction_status": INTERACTION_STATUSES,
    "request_status": REQUEST_STATUSES,
    "next_step": NEXT_STEPS,
    "priority": PRIORITIES,
    "request_outcome": REQUEST_OUTCOMES,
    "sla": SLA_STATES,
    "contact_outcome": CONTACT_OUTCOMES,
    "task_state": TASK_STATES,
    "account_state": ACCOUNT_STATES,
    "payment": PAYMENT_METHODS,
    "bill_delivery": BILL_DELIVERIES,
    "message_channel": MESSAGE_CHANNELS,
    "language": LANGUAGES,
    "summary_policy": SUMMARY_POLICIES,
    "related": RELATED_KINDS,
    "characteristic": CHARACTERISTICS,
    "call_state": CALL_STATES,
    "waiting_for": WAITING_FOR,
    "handoff_kind": HANDOFF_KINDS,
    "handoff_state": HANDOFF_STATES,
    "acknowledgement": ACKNOWLEDGEMENT_OUTCOMES,
    "product_state": PRODUCT_STATES,
    "inbound_state": INBOUND_STATES,
    "inbound_source": INBOUND_SOURCES,
}


def label(kind: str, code: str | None) -> str:
    """The msgid for ``code`` among the ``kind`` labels, or the code itself."""
    return LABELS[kind].get(code or "", code or "")


def readable_phone(e164: str) -> str:
    """+4917112345678 as people read it: +49 171 12345678."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
