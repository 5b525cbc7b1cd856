"""The message templates a new installation starts with (migrations 0008 and 0012 seed them,
0018 rewords the request notices; a test compares). Administrators reword them; the kinds are
what Parley's own code sends."""

from sqlalchemy.orm import Session

from parley.db.base import utcnow
from parley.notifications.models import MessageTemplate
from parley.notifications.repository import NotificationRepository

Template = tuple[str, str, str, str | None, str]

# (kind, channel, language, subject, body); all are service messages. Seeded by migration 0008.
TEMPLATES_0008: tuple[Template, ...] = (
    (
        "interaction.summary",
        "email",
        "en",
        "Your contact with us on {{ date }}",
        "Dear {{ customerName }},\n\nthank you for contacting us. Here is a summary:\n\n"
        "{{ summary }}\n\nKind regards,\nCustomer Service",
    ),
    ("interaction.summary", "sms", "en", None, "Thank you for contacting us: {{ summary }}"),
    (
        "interaction.summary",
        "email",
        "de",
        "Ihr Kontakt mit uns am {{ date }}",
        "Guten Tag {{ customerName }},\n\nvielen Dank für Ihre Anfrage. Zusammenfassung:\n\n"
        "{{ summary }}\n\nFreundliche Grüße\nIhr Kundenservice",
    ),
    ("interaction.summary", "sms", "de", None, "Danke für Ihren Kontakt: {{ summary }}"),
    (
        "request.received",
        "email",
        "en",
        "We have received your request {{ requestId }}",
        "Dear {{ customerName }},\n\nwe have received your request {{ requestId }} "
        "({{ requestType }}). We expect to resolve it by {{ expectedResolution }}.\n\n"
        "Kind regards,\nCustomer Service",
    ),
    (
        "request.received",
        "sms",
        "en",
        None,
        "We received your request {{ requestId }}; expected by {{ expectedResolution }}.",
    ),
    (
        "request.received",
        "email",
        "de",
        "Ihr Auftrag {{ requestId }} ist eingegangen",
        "Guten Tag {{ customerName }},\n\nIhr Auftrag {{ requestId }} ({{ requestType }}) "
        "ist bei uns eingegangen. Wir erwarten die Erledigung bis {{ expectedResolution }}.\n\n"
        "Freundliche Grüße\nIhr Kundenservice",
    ),
    (
        "request.received",
        "sms",
        "de",
        None,
        "Ihr Auftrag {{ requestId }} ist eingegangen; erledigt bis {{ expectedResolution }}.",
    ),
    (
        "request.progress",
        "email",
        "en",
        "Your request {{ requestId }}: {{ status }}",
        "Dear {{ customerName }},\n\nyour request {{ requestId }} is now {{ status }}.\n"
        "{{ message }}\n\nKind regards,\nCustomer Service",
    ),
    ("request.progress", "sms", "en", None, "Request {{ requestId }}: {{ status }}. {{ message }}"),
    (
        "request.progress",
        "email",
        "de",
        "Ihr Auftrag {{ requestId }}: {{ status }}",
        "Guten Tag {{ customerName }},\n\nIhr Auftrag {{ requestId }} hat den Stand "
        "{{ status }}.\n{{ message }}\n\nFreundliche Grüße\nIhr Kundenservice",
    ),
    ("request.progress", "sms", "de", None, "Auftrag {{ requestId }}: {{ status }}. {{ message }}"),
    (
        "bill.issued",
        "email",
        "en",
        "Your bill {{ billNumber }} is ready",
        "Dear {{ customerName }},\n\nyour bill {{ billNumber }} of {{ amount }} is ready; "
        "it is due on {{ dueDate }}.\n\nKind regards,\nCustomer Service",
    ),
    (
        "bill.issued",
        "sms",
        "en",
        None,
        "Your bill {{ billNumber }} of {{ amount }} is ready, due {{ dueDate }}.",
    ),
    (
        "bill.issued",
        "email",
        "de",
        "Ihre Rechnung {{ billNumber }} ist da",
        "Guten Tag {{ customerName }},\n\nIhre Rechnung {{ billNumber }} über {{ amount }} "
        "ist da; fällig am {{ dueDate }}.\n\nFreundliche Grüße\nIhr Kundenservice",
    ),
    (
        "bill.issued",
        "sms",
        "de",
        None,
        "Ihre Rechnung {{ billNumber }} über {{ amount }} ist da, fällig am {{ dueDate }}.",
    ),
)

# The notice of a request that missed its promised date (the SLA watch); migration 0012.
TEMPLATES_0012: tuple[Template, ...] = (
    (
        "request.delayed",
        "email",
        "en",
        "Your request {{ requestId }} is taking longer than promised",
        "Dear {{ customerName }},\n\nwe are sorry: we promised to resolve your request "
        "{{ requestId }} ({{ requestType }}) by {{ expectedResolution }}, and it is taking "
        "longer. We are working on it and will tell you as soon as it is resolved.\n\n"
        "Kind regards,\nCustomer Service",
    ),
    (
        "request.delayed",
        "sms",
        "en",
        None,
        "Sorry: your request {{ requestId }} is taking longer than promised "
        "({{ expectedResolution }}). We are on it.",
    ),
    (
        "request.delayed",
        "email",
        "de",
        "Ihr Auftrag {{ requestId }} dauert länger als zugesagt",
        "Guten Tag {{ customerName }},\n\nes tut uns leid: Wir hatten die Erledigung Ihres "
        "Auftrags {{ requestId }} ({{ requestType }}) bis {{ expectedResolution }} zugesagt, "
        "und es dauert länger. Wir arbeiten daran und melden uns, sobald er erledigt ist.\n\n"
        "Freundliche Grüße\nIhr Kundenservice",
    ),
    (
        "request.delayed",
        "sms",
        "de",
        None,
        "Entschuldigung: Ihr Auftrag {{ requestId }} dauert länger als zugesagt "
        "({{ expectedResolution }}). Wir sind dran.",
    ),
)

# The request notices worded for customers (migration 0018, issue 18): the request's reference
# instead of its UUID, the type's name, the status in words and the expected resolution as a
# local date and time (requests/notify.py makes them in the customer's language and zone).
# (kind, channel, language) -> (subject, body); 0018 rewords a template still as seeded.
REWORDED_0018: dict[tuple[str, str, str], tuple[str | None, str]] = {
    ("request.received", "email", "en"): (
        "We have received your request {{ reference }}",
        "Dear {{ customerName }},\n\nwe have received your request {{ reference }} "
        "({{ requestType }}). We expect to resolve it by {{ expectedResolution }}.\n\n"
        "Please quote {{ reference }} whenever you contact us about it.\n\n"
        "Kind regards,\nCustomer Service",
    ),
    ("request.received", "sms", "en"): (
        None,
        "We received your request {{ reference }} ({{ requestType }}); we expect to resolve it "
        "by {{ expectedResolution }}.",
    ),
    ("request.received", "email", "de"): (
        "Ihr Auftrag {{ reference }} ist eingegangen",
        "Guten Tag {{ customerName }},\n\nIhr Auftrag {{ reference }} ({{ requestType }}) "
        "ist bei uns eingegangen. Wir erwarten die Erledigung bis {{ expectedResolution }}.\n\n"
        "Bitte nennen Sie {{ reference }}, wenn Sie uns dazu kontaktieren.\n\n"
        "Freundliche Grüße\nIhr Kundenservice",
    ),
    ("request.received", "sms", "de"): (
        None,
        "Ihr Auftrag {{ reference }} ({{ requestType }}) ist eingegangen; erledigt "
        "voraussichtlich bis {{ expectedResolution }}.",
    ),
    ("request.progress", "email", "en"): (
        "Your request {{ reference }}: {{ status }}",
        "Dear {{ customerName }},\n\nyour request {{ reference }} ({{ requestType }}) is now "
        "{{ status }}.\n{{ message }}\n\nKind regards,\nCustomer Service",
    ),
    ("request.progress", "sms", "en"): (
        None,
        "Your request {{ reference }} ({{ requestType }}) is now {{ status }}. {{ message }}",
    ),
    ("request.progress", "email", "de"): (
        "Ihr Auftrag {{ reference }}: {{ status }}",
        "Guten Tag {{ customerName }},\n\nIhr Auftrag {{ reference }} ({{ requestType }}) ist "
        "jetzt {{ status }}.\n{{ message }}\n\nFreundliche Grüße\nIhr Kundenservice",
    ),
    ("request.progress", "sms", "de"): (
        None,
        "Ihr Auftrag {{ reference }} ({{ requestType }}) ist jetzt {{ status }}. {{ message }}",
    ),
    ("request.delayed", "email", "en"): (
        "Your request {{ reference }} is taking longer than promised",
        "Dear {{ customerName }},\n\nwe are sorry: we promised to resolve your request "
        "{{ reference }} ({{ requestType }}) by {{ expectedResolution }}, and it is taking "
        "longer. We are working on it and will tell you as soon as it is resolved.\n\n"
        "Kind regards,\nCustomer Service",
    ),
    ("request.delayed", "sms", "en"): (
        None,
        "Sorry: your request {{ reference }} is taking longer than promised "
        "({{ expectedResolution }}). We are on it.",
    ),
    ("request.delayed", "email", "de"): (
        "Ihr Auftrag {{ reference }} dauert länger als zugesagt",
        "Guten Tag {{ customerName }},\n\nes tut uns leid: Wir hatten die Erledigung Ihres "
        "Auftrags {{ reference }} ({{ requestType }}) bis {{ expectedResolution }} zugesagt, "
        "und es dauert länger. Wir arbeiten daran und melden uns, sobald er erledigt ist.\n\n"
        "Freundliche Grüße\nIhr Kundenservice",
    ),
    ("request.delayed", "sms", "de"): (
        None,
        "Entschuldigung: Ihr Auftrag {{ reference }} dauert länger als zugesagt "
        "({{ expectedResolution }}). Wir sind dran.",
    ),
}


def _current(seeded: tuple[Template, ...]) -> tuple[Template, ...]:
    return tuple(
        (kind, channel, language, *REWORDED_0018.get((kind, channel, language), (subject, body)))
        for kind, channel, language, subject, body in seeded
    )


# A problem many customers share (analytics/notices.py): told before they call, and told
# when it is solved. Seeded by migration 0035.
TEMPLATES_0035: tuple[Template, ...] = (
    (
        "problem.notice",
        "email",
        "en",
        "We are working on a problem in your area",
        "Dear {{ customerName }},\n\nwe know of a problem in your area ({{ area }}): "
        "{{ reason }}. We are working on it and will tell you when it is solved; there is no "
        "need to contact us about it.\n\n{{ message }}\n\nKind regards,\nCustomer Service",
    ),
    (
        "problem.notice",
        "sms",
        "en",
        None,
        "We know of a problem in your area ({{ reason }}) and are working on it. {{ message }}",
    ),
    (
        "problem.notice",
        "email",
        "de",
        "Wir beheben eine Störung in Ihrer Gegend",
        "Guten Tag {{ customerName }},\n\nin Ihrer Gegend ({{ area }}) gibt es eine Störung: "
        "{{ reason }}. Wir arbeiten daran und sagen Ihnen Bescheid, sobald sie behoben ist; "
        "Sie brauchen uns deswegen nicht zu kontaktieren.\n\n{{ message }}\n\n"
        "Freundliche Grüße\nIhr Kundenservice",
    ),
    (
        "problem.notice",
        "sms",
        "de",
        None,
        "In Ihrer Gegend gibt es eine Störung ({{ reason }}); wir arbeiten daran. {{ message }}",
    ),
    (
        "problem.resolved",
        "email",
        "en",
        "The problem in your area is solved",
        "Dear {{ customerName }},\n\nthe problem in your area ({{ area }}) we told you of "
        "is solved: {{ resolution }}\n\nThank you for your patience.\n\nKind regards,\n"
        "Customer Service",
    ),
    (
        "problem.resolved",
        "sms",
        "en",
        None,
        "The problem in your area is solved: {{ resolution }}",
    ),
    (
        "problem.resolved",
        "email",
        "de",
        "Die Störung in Ihrer Gegend ist behoben",
        "Guten Tag {{ customerName }},\n\ndie Störung in Ihrer Gegend ({{ area }}), über die "
        "wir Sie informiert haben, ist behoben: {{ resolution }}\n\nDanke für Ihre Geduld."
        "\n\nFreundliche Grüße\nIhr Kundenservice",
    ),
    (
        "problem.resolved",
        "sms",
        "de",
        None,
        "Die Störung in Ihrer Gegend ist behoben: {{ resolution }}",
    ),
)

# What a new installation has: the seeded templates as reworded since.
DEFAULT_TEMPLATES: tuple[Template, ...] = _current(TEMPLATES_0008 + TEMPLATES_0012) + TEMPLATES_0035


def ensure_default_templates(session: Session) -> None:
    """Add any default template that is missing (the migration seeds them; tests empty
    tables)."""
    repo = NotificationRepository(session)
    now = utcnow()
    for kind, channel, language, subject, body in DEFAULT_TEMPLATES:
        if repo.template_for(kind, channel, language) is None:
            repo.add(
                MessageTemplate(
                    kind=kind,
                    channel=channel,
                    language=language,
                    category="service",
                    subject=subject,
                    body=body,
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
