"""Menus as data, checked when saved, managed by administrators.

A menu document::

    {"code": "selfcare", "name": "Self-care", "start": "home",
     "screens": {
        "home": {"text": {"en": "...", "de": "..."},
                 "options": [{"label": {"en": "...", "de": "..."}, "next": "status"}]},
        "describe": {"text": {...}, "input": {"name": "details", "minLength": 3,
                     "maxLength": 120, "pattern": "...", "error": {...}}, "next": "raise"},
        "raise": {"text": {...}, "action": "request.create",
                  "params": {"requestType": "fault.repair", "description": "details"}}}}

A screen shows its text (``{result}`` stands for what its action answered) and then takes one
of its options (1-9), a free-text input (checked against its length and pattern), or nothing:
a screen without options or input ends the session. Every text is given in English and
German. The check refuses, naming where: an unknown action, a ``next`` to no screen, a screen
that cannot be reached from ``start``, screens from which no end can be reached (a loop with
no exit), and a screen too long for one USSD page in either language.
"""

import re
from dataclasses import dataclass

from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.channels import texts
from parley.channels.models import ChannelMenu
from parley.channels.repository import ChannelRepository
from parley.db.base import new_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound

RESOURCE = "channelMenu"
CODE = re.compile(r"[a-z][a-z0-9._-]{0,63}")
SCREEN_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
MAX_OPTIONS = 9  # 1-9: 98 and 0 page and go back
MAX_SCREENS = 200
MAX_INPUT = 160


@dataclass(frozen=True)
class ActionSpec:
    needs_pin: bool  # reveals or changes more than a status: the caller's PIN first
    params: tuple[str, ...] = ()  # required parameters
    ends: bool = False  # the action ends the self-service part (a transfer)


# The actions a menu may call (channels/actions.py carries them out).
ACTIONS = {
    "requests.latest": ActionSpec(False),
    "request.create": ActionSpec(True, ("requestType",)),
    "callback.request": ActionSpec(True, ("requestType", "window")),
    "addons.list": ActionSpec(False),
    "addon.select": ActionSpec(True, ("choice",)),
    "preference.set": ActionSpec(True, ("field", "value")),
    "language.set": ActionSpec(False, ("value",)),
    "transfer": ActionSpec(False, ("queue",), ends=True),
}
PREFERENCE_FIELDS = ("billDelivery", "language", "marketingOptOut")


def check_menu(document) -> dict:
    """The menu, checked; InvalidInput naming the first problem and where it is."""
    if not isinstance(document, dict):
        raise InvalidInput("a menu is a JSON object")
    code = document.get("code")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise InvalidInput("code: lower-case letters, digits and . _ -, at most 64", "code")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput("name: 1 to 200 characters", "name")
    screens = document.get("screens")
    if not isinstance(screens, dict) or not screens:
        raise InvalidInput("screens: an object of screens by id", "screens")
    if len(screens) > MAX_SCREENS:
        raise InvalidInput(f"screens: at most {MAX_SCREENS}", "screens")
    start = document.get("start")
    if start not in screens:
        raise InvalidInput("start: the id of one of the screens", "start")
    for screen_id, screen in screens.items():
        _check_screen(screen_id, screen, screens)
    _check_reachable(start, screens)
    _check_exits(screens)
    return document


def _check_screen(screen_id: str, screen, screens: dict) -> None:
    where = f"screens.{screen_id}"
    if not SCREEN_ID.fullmatch(screen_id):
        raise InvalidInput(f"{where}: a screen id is letters, digits, _ and -", where)
    if not isinstance(screen, dict):
        raise InvalidInput(f"{where}: a screen is an object", where)
    unknown = sorted(set(screen) - {"text", "options", "input", "next", "action", "params"})
    if unknown:
        raise InvalidInput(f"{where}.{unknown[0]}: not part of a screen", f"{where}.{unknown[0]}")
    _check_text(screen.get("text"), f"{where}.text")
    options, given = screen.get("options"), screen.get("input")
    if options is not None and given is not None:
        raise InvalidInput(f"{where}: options or an input, not both", where)
    labels = []
    if options is not None:
        if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(f"{where}.options: 1 to {MAX_OPTIONS} options", f"{where}.options")
        for index, option in enumerate(options):
            at = f"{where}.options[{index}]"
            if not isinstance(option, dict):
                raise InvalidInput(f"{at}: an option is an object", at)
            _check_text(option.get("label"), f"{at}.label")
            _check_next(option.get("next"), screens, f"{at}.next")
            labels.append(option["label"])
    if given is not None:
        _check_input(given, f"{where}.input")
        _check_next(screen.get("next"), screens, f"{where}.next")
    elif "next" in screen and options is None:
        raise InvalidInput(f"{where}.next: only a screen with an input goes on by itself", where)
    action = screen.get("action")
    if action is not None:
        spec = ACTIONS.get(action)
        if spec is None:
            known = ", ".join(sorted(ACTIONS))
            raise InvalidInput(f"{where}.action: unknown action {action!r} ({known})", where)
        params = screen.get("params") or {}
        if not isinstance(params, dict):
            raise InvalidInput(f"{where}.params: an object", f"{where}.params")
        missing = [p for p in spec.params if not params.get(p)]
        if missing:
            raise InvalidInput(f"{where}.params.{missing[0]}: needed by {action}", where)
        if action == "preference.set" and params["field"] not in PREFERENCE_FIELDS:
            fields = ", ".join(PREFERENCE_FIELDS)
            raise InvalidInput(f"{where}.params.field: one of {fields}", f"{where}.params")
        if spec.ends and (options is not None or given is not None):
            raise InvalidInput(f"{where}: {action} ends the session; no options", where)
    elif "params" in screen:
        raise InvalidInput(f"{where}.params: only with an action", where)
    for language in texts.LANGUAGES:
        shown = render(screen, language, "", [label[language] for label in labels])
        if not texts.fits(shown):
            limit = texts.limit_for(shown)
            raise InvalidInput(
                f"{where}: too long for one screen in {language} "
                f"({texts.length(shown)} characters, at most {limit})",
                where,
            )


def _check_text(value, where: str) -> None:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: texts by language ({', '.join(texts.LANGUAGES)})", where)
    for language in texts.LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput(f"{where}.{language}: the text in this language", where)


def _check_next(target, screens: dict, where: str) -> None:
    if target not in screens:
        raise InvalidInput(f"{where}: no screen {target!r}", where)


def _check_input(given, where: str) -> None:
    if not isinstance(given, dict) or not isinstance(given.get("name"), str):
        raise InvalidInput(f"{where}: an object with the name it is kept under", where)
    shortest, longest = given.get("minLength", 1), given.get("maxLength", MAX_INPUT)
    if not (isinstance(shortest, int) and isinstance(longest, int)):
        raise InvalidInput(f"{where}: minLength and maxLength are whole numbers", where)
    if not 0 <= shortest <= longest <= MAX_INPUT:
        raise InvalidInput(f"{where}: 0 <= minLength <= maxLength <= {MAX_INPUT}", where)
    pattern = given.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            raise InvalidInput(f"{where}.pattern: not a regular expression", where) from None
    if given.get("error") is not None:
        _check_text(given["error"], f"{where}.error")


def successors(screen: dict) -> list[str]:
    following = [option["next"] for option in screen.get("options") or []]
    if screen.get("input") is not None:
        following.append(screen["next"])
    return following


def is_end(screen: dict) -> bool:
    return not successors(screen)


def _check_reachable(start: str, screens: dict) -> None:
    seen, waiting = {start}, [start]
    while waiting:
        for following in successors(screens[waiting.pop()]):
            if following not in seen:
                seen.add(following)
                waiting.append(following)
    unreachable = [screen_id for screen_id in screens if screen_id not in seen]
    if unreachable:
        where = f"screens.{unreachable[0]}"
        raise InvalidInput(f"{where}: cannot be reached from the start screen", where)


def _check_exits(screens: dict) -> None:
    """Every screen can lead to an end: else a caller could only go round in circles."""
    exits = {screen_id for screen_id, screen in screens.items() if is_end(screen)}
    grew = True
    while grew:
        grew = False
        for screen_id, screen in screens.items():
            if screen_id not in exits and any(s in exits for s in successors(screen)):
                exits.add(screen_id)
                grew = True
    trapped = sorted(set(screens) - exits)
    if trapped:
        where = f"screens.{trapped[0]}"
        raise InvalidInput(
            f"{where}: a loop with no exit (no screen that ends the session can be reached "
            f"from {', '.join(trapped)})",
            where,
        )


def render(screen: dict, language: str, result: str, labels: list[str]) -> str:
    """The screen as a handset shows it: its text, then its numbered options."""
    text = screen["text"][language].replace("{result}", result).strip()
    lines = [text] + [f"{number}. {label}" for number, label in enumerate(labels, 1)]
    return "\n".join(line for line in lines if line)


class MenuCatalogue:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = ChannelRepository(uow.session)

    def list_menus(self) -> list[ChannelMenu]:
        return self.repo.menus()

    def get(self, code: str) -> ChannelMenu:
        menu = self.repo.menu(code) if len(code) <= 64 else None
        if menu is None:
            raise NotFound(f"No menu {code}")
        return menu

    def create(self, document) -> ChannelMenu:
        document = check_menu(document)
        if self.repo.menu(document["code"]) is not None:
            raise Conflict(f"code: a menu {document['code']} exists; change it with PUT")
        now = utcnow()
        menu = ChannelMenu(
            id=new_id(),
            code=document["code"],
            name=document["name"],
            version=1,
            document=document,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(menu)
        self.uow.record(RESOURCE, CREATE, menu.id, after=document)
        return menu

    def replace(self, code: str, document) -> ChannelMenu:
        menu = self.get(code)
        document = check_menu(document)
        if document["code"] != menu.code:
            raise InvalidInput("code: a menu keeps its code", "code")
        before = menu.document
        menu.document, menu.name = document, document["name"]
        menu.version += 1
        menu.updated_at = utcnow()
        self.repo.add(menu)
        self.uow.record(RESOURCE, UPDATE, menu.id, before=before, after=document)
        return menu

    def delete(self, code: str) -> None:
        menu = self.get(code)
        self.repo.delete(menu)
        self.uow.record(RESOURCE, DELETE, menu.id, before=menu.document)
