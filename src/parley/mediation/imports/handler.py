"""What the inbound workers do with a message of source ``import``: the record of a file
received for an import. Applying it hands it over to its import (``bulk_import``), which the
import's runner carries out batch by batch; the message's outcome names the import."""

import json

from parley.errors import InvalidInput
from parley.mediation.handlers import Parsed
from parley.mediation.imports.repository import ImportRepository


class ImportFileHandler:
    def parse(self, uow, message) -> Parsed:
        try:
            manifest = json.loads(message.content)
        except ValueError:
            raise InvalidInput("content: not an import file's record") from None
        return Parsed({"bulkImport": manifest})

    def apply(self, uow, message, command: dict) -> dict:
        found = ImportRepository(uow.session).of_message(message.id)
        if found is None:  # the intake records its import just after the message: not yet
            raise RuntimeError("no import recorded for this file yet")
        return {"import": found.id}
