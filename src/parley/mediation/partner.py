"""Partner messages, read through their profiles: the handler of the ``partner`` source (any
other source may register it too).

Parsing chooses the profile: among the partner's active profiles (of the transaction type the
sender named, if it did), those that recognise the message; where several do, the one with
the most recognition rules; where that is still more than one, the message is rejected as
ambiguous (make one profile more specific). The profile's transform gives the command's
fields, each checked against the command's shape; the parsed message keeps them, with the
profile that read it. Applying runs them, in order, in the worker's unit of work.
"""

from parley.changes import UnitOfWork
from parley.db.base import iso
from parley.errors import DomainError, InvalidInput
from parley.mediation.commands import Context, as_json, run, validated
from parley.mediation.handlers import Parsed, Rejected
from parley.mediation.models import InboundMessage
from parley.mediation.profile import Compiled
from parley.mediation.profile_service import ProfileService, Sample, label, read_sample


def sample_of(message: InboundMessage) -> Sample:
    return Sample(
        content=message.content,
        content_type=message.content_type,
        headers=dict(message.headers or {}),
        source=message.source,
        partner=message.partner,
        transaction_type=message.transaction_type,
        message_id=message.id,
        received_at=iso(message.received_at),
    )


class ProfileHandler:
    def parse(self, uow: UnitOfWork, message: InboundMessage) -> Parsed:
        profiles = ProfileService(uow)
        row, compiled = self._profile_for(profiles, message)
        try:
            items = read_sample(compiled, sample_of(message))
        except InvalidInput as refusal:
            raise Rejected(
                f"{label(row)}: {refusal.message}",
                refusal.field,
                profile_id=row.id,
                transaction_type=row.transaction_type,
            ) from None
        command = {
            "command": compiled.document.command,
            "profile": {
                "id": row.id,
                "partner": row.partner,
                "transactionType": row.transaction_type,
                "version": row.version,
            },
            "items": [as_json(item) for item in items],
        }
        return Parsed(command, row.id, row.transaction_type)

    def apply(self, uow: UnitOfWork, message: InboundMessage, command: dict) -> dict:
        items = validated(command["command"], command["items"])
        context = Context(message.source, message.partner, message.id)
        results = []
        for index, item in enumerate(items):
            try:
                results.append(run(uow, item, context))
            except DomainError as refusal:
                if len(items) > 1:  # which of them: the same words the dry run says
                    refusal.message = f"command[{index}]: {refusal.message}"
                raise
        return {"command": command["command"], "results": results}

    @staticmethod
    def _profile_for(profiles: ProfileService, message: InboundMessage) -> tuple:
        if not message.partner:
            raise InvalidInput("partner: a partner's message names its partner", "partner")
        rows = profiles.active(message.partner, message.transaction_type)
        if not rows:
            kind = f" for {message.transaction_type}" if message.transaction_type else ""
            raise InvalidInput(f"no active profile of partner {message.partner}{kind}", "profile")
        recognised: list[tuple[int, object, Compiled]] = []
        why = []
        for row in rows:
            compiled = profiles.compiled(row)
            problems = compiled.mismatches(message.content, message.content_type, message.headers)
            if problems:
                why.append(f"{label(row)}: {'; '.join(problems)}")
            else:
                recognised.append((compiled.specificity(), row, compiled))
        if not recognised:
            raise InvalidInput("no profile recognises it (" + " | ".join(why) + ")", "profile")
        best = max(rank for rank, _, _ in recognised)
        chosen = [(row, compiled) for rank, row, compiled in recognised if rank == best]
        if len(chosen) > 1:
            names = ", ".join(label(row) for row, _ in chosen)
            raise InvalidInput(
                f"several profiles recognise it alike ({names}): make one more specific",
                "profile",
            )
        return chosen[0]
