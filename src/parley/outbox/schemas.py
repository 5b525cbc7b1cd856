"""How an outbox message is shown to administrators (API and CLI): secrets never."""

from parley.outbox.models import OutboxMessage

SECRET_FIELDS = ("secret", "password", "token")
HIDDEN = "***"


def message_view(message: OutboxMessage, with_payload: bool = True) -> dict:
    view = {
        "id": message.id,
        "kind": message.kind,
        "destination": redacted(message.destination),
        "status": message.status,
        "attempts": message.attempts,
        "idempotencyKey": message.idempotency_key,
        "nextAttemptAt": message.next_attempt_at,
        "lastError": message.last_error,
        "claimedBy": message.claimed_by,
        "claimedUntil": message.claimed_until,
        "createdAt": message.created_at,
        "deliveredAt": message.delivered_at,
    }
    if with_payload:
        view["payload"] = message.payload
    return view


def redacted(destination: dict) -> dict:
    return {
        key: HIDDEN if key.lower() in SECRET_FIELDS else value for key, value in destination.items()
    }
