"""How much one TMF document may hold (docs/security.md, "Limits").

Every create and merge patch of every TMF collection passes ``check_storable`` with this
budget (``crud.py``), so that no document grows past what its storage, its projection and its
answers handle in their stride: an interaction with 20,000 ``interactionItem`` entries cost a
minute and then a 503, one with a 10 MiB ``description`` was kept whole. A text or list past its
limit is a 400 naming where it is and the limit. The request body limit
(``PARLEY_MAX_BODY_BYTES``) bounds the document as a whole.
"""

from dataclasses import dataclass, field

MAX_TEXT = 1_000  # characters of a name, code, address, id or any other short text
FREE_TEXT = 10_000  # characters of a free text: descriptions, notes, message content
MAX_ENTRIES = 100  # entries of any list: notes, items, characteristics, contact media, ...

# Properties whose strings are free texts, by name wherever they occur.
FREE_TEXTS = frozenset({"description", "text", "content", "comment", "resolution", "value"})
# Lists shorter than MAX_ENTRIES: each entry is looked up, resolved or carried whole.
SHORTER_LISTS = {"attachment": 20, "relatedParty": 50}
# In a collection that takes files (a TMF621 ticket's ``attachment``), an entry's ``content``
# (base64) is a file, not a text: no text's limit; the service holds a file to
# PARLEY_ATTACHMENT_MAX_BYTES, the body limit the request as a whole.
FILE_CONTENT = "content"


@dataclass(frozen=True)
class DocumentBudget:
    text: int = MAX_TEXT
    free_text: int = FREE_TEXT
    entries: int = MAX_ENTRIES
    free_texts: frozenset[str] = FREE_TEXTS
    shorter_lists: dict[str, int] = field(default_factory=lambda: dict(SHORTER_LISTS))
    file_lists: frozenset[str] = frozenset()

    def is_file(self, list_name: str, key: str) -> bool:
        """Whether ``key`` of an entry of the list ``list_name`` holds a file's content."""
        return key == FILE_CONTENT and list_name in self.file_lists

    def characters(self, name: str) -> int:
        """The longest text under the property ``name`` (the list's, for a list of texts)."""
        return self.free_text if name in self.free_texts else self.text

    def items(self, name: str) -> int:
        return self.shorter_lists.get(name, self.entries)


TMF_DOCUMENT = DocumentBudget()
WITH_ATTACHMENTS = DocumentBudget(file_lists=frozenset({"attachment"}))
