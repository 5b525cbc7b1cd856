"""One step of a self-service session: the caller's inputs in, the next screen out.

State lives in ``channel_session`` (server-side, keyed by the gateway's session id, locked
while a step runs), so any API process can take any step and a restart loses nothing. Each
session is one inbound interaction, opened when it starts and completed when it ends (or
completed as abandoned by ``SessionExpiry``), its path of screens and inputs as items.

Gateways repeat requests, deliver them late or out of order: a turn says how many inputs came
before its own (``position``, where the gateway tells), and inputs already taken are not
taken twice: a repeat or a late request is answered with the screen the session is on.
"""

import copy
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.channels import texts
from parley.channels.actions import Context, run_action
from parley.channels.caller import identify_caller
from parley.channels.menus import ACTIONS, MenuCatalogue, is_end, render
from parley.channels.models import ABANDONED, ACTIVE, ENDED, ChannelSession
from parley.channels.options import ChannelOptions
from parley.channels.recording import SessionLog
from parley.channels.repository import ChannelRepository
from parley.channels.wording import (
    BUILTIN,
    FAILED,
    LOCKED,
    NO_CALLER,
    NO_PIN,
    NOTICES,
    PIN,
    chosen_option,
    valid_input,
)
from parley.db.base import new_id, utcnow
from parley.errors import DomainError, NotFound
from parley.notifications.preferences import PreferenceService
from parley.parties.verification import VerificationService

MAX_INPUTS_PER_TURN = 20
# Menus as each process last read them: a changed menu reaches every process within this
# many seconds (a step saves reading and parsing the menu each time).
MENU_CACHE_SECONDS = 5.0
_menus: dict[str, tuple[float, dict]] = {}


def _menu(uow: UnitOfWork, code: str) -> dict:
    now = time.monotonic()
    cached = _menus.get(code)
    if cached is None or now - cached[0] > MENU_CACHE_SECONDS:
        cached = _menus[code] = (now, MenuCatalogue(uow).get(code).document)
    return cached[1]


@dataclass
class Turn:
    """What a gateway sent: a session's new inputs (none when it starts)."""

    channel: str  # ussd, ivr, sms
    gateway: str
    session_key: str
    msisdn: str
    inputs: list[str] = field(default_factory=list)
    position: int | None = None  # inputs the gateway had sent before these, if it says
    release: bool = False  # the caller hung up or the gateway gave up
    timed_out: bool = False  # the gateway gave up waiting for the caller: abandoned
    paged: bool = True  # long screens in USSD pages (not for voice)


@dataclass
class Reply:
    text: str  # the screen (this page of it) as the handset shows it
    final: bool
    language: str
    expects: str | None = None  # "option", "text" or "pin" while the session goes on
    prompt: str = ""  # the screen's text without its options (for voice)
    options: list[str] = field(default_factory=list)
    transfer: dict | None = None
    session_id: str | None = None


class MenuEngine:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = ChannelRepository(uow.session)
        self.options = uow.options(ChannelOptions)

    def handle(self, turn: Turn) -> Reply:
        now = utcnow()
        row = self.repo.active_session(turn.channel, turn.session_key)
        if row is not None and row.expires_at <= now:
            SessionLog(self._as(row)).close(row, ABANDONED)  # the gateway reused its id
            row = None
        inputs = list(turn.inputs[:MAX_INPUTS_PER_TURN])
        if row is None:
            # Only a dial opens a session: inputs for one that ended (a late request, or
            # one after the caller hung up) are told so, never replayed into a new one.
            if turn.release:
                return self._ended_reply()
            if turn.inputs:
                ended = self._ended(turn)
                if ended is not None:
                    return ended
            try:
                # The new row is written once, with the state its first turn left: all in
                # a savepoint, so a race leaves nothing of this attempt behind.
                with self.uow.session.begin_nested():
                    row = self._open(turn)
                    return self._take(row, row.state, turn, inputs, now)
            except IntegrityError:  # a repeat of this request opened it meanwhile
                if self.repo.active_session(turn.channel, turn.session_key) is None:
                    raise
                return self.handle(turn)  # answered as a repeat of what that one took
        if turn.position is not None:
            taken = row.step - turn.position
            if taken >= len(inputs) and (inputs or taken > 0):
                return _reply(row.state["last"], row)  # a repeat, or a late request
            inputs = inputs[max(taken, 0) :]
        # A copy: the row's JSON is written when it is a new value, not when changed in place.
        return self._take(row, copy.deepcopy(row.state), turn, inputs, now)

    def _take(self, row: ChannelSession, state: dict, turn: Turn, inputs: list[str], now) -> Reply:
        """The turn's inputs taken on ``state``, the row written with the result."""
        try:
            menu = _menu(self.uow, row.menu_code)
        except NotFound:  # the menu was deleted under the session
            menu, state["screen"] = {"screens": {}}, FAILED
        step = _Step(self, row, state, turn, menu)
        for given in inputs:
            if step.ended:
                break
            step.take(given)
            row.step += 1
        reply = step.reply()
        if turn.release:  # the caller hung up: nothing more is shown
            reply.final, reply.expects = True, None
        state["last"] = _stored(reply)
        row.state, row.updated_at = state, now
        row.expires_at = now + timedelta(seconds=self.options.session_seconds)
        if reply.final or turn.release:  # ended before the row is written: one write of it
            ending = ABANDONED if turn.timed_out and not reply.transfer else ENDED
            SessionLog(self._as(row)).close(row, ending, reply.transfer)
        self.repo.add(row)
        return reply

    def _ended(self, turn: Turn) -> Reply | None:
        """The answer to inputs for a session that is over: its last screen again for a
        repeat of its last request, else that it has ended; None if there was none."""
        last = self.repo.last_session(turn.channel, turn.session_key)
        if last is None or last.status == ACTIVE:
            return None
        repeat = turn.position is not None and turn.position + len(turn.inputs) == last.step
        if repeat and last.status == ENDED and last.state.get("last"):
            return _reply(last.state["last"], last)
        return self._ended_reply()

    def _ended_reply(self) -> Reply:
        language = self.options.language
        return Reply(NOTICES["ended"][language], True, language)

    def _as(self, row: ChannelSession) -> UnitOfWork:
        # An identified caller acts as that customer's self-service: the request service's
        # rules (own customer, self-service types only) hold on these channels as on the portal.
        caller = Actor(
            f"{row.channel}:{row.msisdn}"[:150],
            row.channel,
            customer_id=row.customer_id,
            self_service=row.customer_id is not None,
        )
        return self.uow.acting_as(caller)

    def _open(self, turn: Turn) -> ChannelSession:
        uow = self.uow.acting_as(Actor(f"{turn.channel}:{turn.msisdn}"[:150], turn.channel))
        caller = identify_caller(uow, turn.msisdn)
        language = self.options.language
        if caller.customer_id is not None:
            preferred = (PreferenceService(uow).language_of(caller.customer_id) or "")[:2]
            language = preferred if preferred in texts.LANGUAGES else language
        menu = _menu(uow, self.options.menu)
        now = utcnow()
        row = ChannelSession(
            id=new_id(),
            channel=turn.channel,
            gateway=turn.gateway,
            session_key=turn.session_key[:200],
            msisdn=turn.msisdn[:32],
            menu_code=self.options.menu,
            language=language,
            customer_id=caller.customer_id,
            status=ACTIVE,
            step=0,
            state={},
            expires_at=now + timedelta(seconds=self.options.session_seconds),
            created_at=now,
            updated_at=now,
        )
        row.interaction_id = SessionLog(uow).open(row).id
        state = {
            "screen": None,
            "page": 0,
            "values": {},
            "path": [],
            "history": [],
            "results": {},
            "verified": False,
        }
        step = _Step(self, row, state, turn, menu)
        step.enter(menu["start"], back=False)
        row.state = state
        return row


class _Step:
    """One turn's walk through the menu, on a copy of the session's state."""

    def __init__(self, engine, row: ChannelSession, state: dict, turn: Turn, menu: dict):
        self.engine, self.row, self.state, self.turn, self.menu = engine, row, state, turn, menu
        self.uow = engine._as(row)
        self.notice: str | None = None

    @property
    def language(self) -> str:
        return self.row.language

    @property
    def screens(self) -> dict:
        return self.menu["screens"]

    @property
    def ended(self) -> bool:
        return self._is_end(self.state["screen"])

    def _is_end(self, screen_id: str) -> bool:
        if screen_id == PIN:
            return False
        return screen_id not in self.screens or is_end(self.screens[screen_id])

    # -- moving --------------------------------------------------------------------------

    def enter(self, screen_id: str, back: bool = True) -> None:
        current = self.state["screen"]
        if back and current and current != PIN:
            self.state["history"].append(current)
        self.state["screen"], self.state["page"] = screen_id, 0
        screen = self.screens.get(screen_id) or {}
        action = screen.get("action")
        if action is None:
            return
        spec = ACTIONS[action]
        if spec.needs_pin and not self.state["verified"]:
            if self.row.customer_id is None:
                self.state["screen"] = NO_CALLER
                return
            self.state["pending"], self.state["screen"] = screen_id, PIN
            return
        self._run(screen_id, action, screen.get("params") or {})

    def _run(self, screen_id: str, action: str, params: dict) -> None:
        spec = ACTIONS[action]
        context = Context(
            channel=self.row.channel,
            msisdn=self.row.msisdn,
            customer_id=self.row.customer_id,
            # Only what writes refers to the session's interaction (requests raised in it).
            interaction=self._interaction() if spec.needs_pin else None,
            language=self.language,
            values=self.state["values"],
            interaction_id=self.row.interaction_id,
        )
        if spec.needs_pin and self.row.customer_id is None:
            self.state["screen"] = NO_CALLER
            return
        try:
            if spec.needs_pin:  # a write: a refused one leaves nothing behind
                with self.uow.session.begin_nested():
                    outcome = run_action(self.uow, action, params, context)
            else:
                outcome = run_action(self.uow, action, params, context)
        except DomainError:
            self.state["screen"] = FAILED
            return
        if outcome.language:
            self.row.language = outcome.language
        self.state["results"][screen_id] = outcome.text
        if outcome.transfer:
            self.state["transfer"] = outcome.transfer

    def _interaction(self):
        from parley.interactions.service import InteractionService

        try:
            return InteractionService(self.uow).get(self.row.interaction_id)
        except NotFound:
            return None

    def take(self, given: str) -> None:
        screen_id = self.state["screen"]
        if screen_id not in self.screens and screen_id not in BUILTIN:
            self.state["screen"] = FAILED  # the menu changed under the session
            return
        text = texts.clean_input(given)
        self.notice = None
        if text is None:
            self.notice = NOTICES["input"][self.language]
            self._path(screen_id, "(too long)")
            return
        if self.turn.paged and text in (texts.MORE, texts.BACK) and self._page(text):
            return
        if text == texts.BACK and screen_id != PIN and self.state["history"]:
            self.state["screen"] = self.state["history"].pop()
            self.state["page"] = 0
            self._path(screen_id, text)
            return
        if screen_id == PIN:
            self._path(screen_id, "****")
            self._verify(text)
            return
        self._path(screen_id, text)
        screen = self.screens[screen_id]
        options = screen.get("options")
        if options is not None:
            chosen = chosen_option(text, self._labels(screen))
            if not 1 <= chosen <= len(options):
                self.notice = NOTICES["option"][self.language]
                return
            self.enter(options[chosen - 1]["next"])
            return
        wanted = screen.get("input") or {}
        if not valid_input(text, wanted):
            error = wanted.get("error") or {}
            self.notice = error.get(self.language) or NOTICES["input"][self.language]
            return
        self.state["values"][wanted["name"]] = text
        self.enter(screen["next"])

    def _page(self, text: str) -> bool:
        count = len(texts.pages(self._full(), self.language))
        page = self.state["page"]
        if text == texts.MORE and page < count - 1:
            self.state["page"] = page + 1
            return True
        if text == texts.BACK and page > 0:
            self.state["page"] = page - 1
            return True
        return False

    def _verify(self, pin: str) -> None:
        from parley.errors import InvalidInput, TooManyRequests

        try:
            result = VerificationService(self.uow).verify(self.row.customer_id, "pin", pin)
        except InvalidInput:
            self.state["screen"] = NO_PIN
            return
        except TooManyRequests:
            self.state["screen"] = LOCKED
            return
        if result.verified:
            self.state["verified"] = True
            pending = self.state.pop("pending")
            self.state["screen"] = pending
            screen = self.screens[pending]
            self._run(pending, screen["action"], screen.get("params") or {})
        elif result.outcome == "locked" or result.locked_until:
            self.state["screen"] = LOCKED
        else:
            self.notice = NOTICES["pin"][self.language].format(left=result.attempts_remaining)

    def _path(self, screen_id: str, given: str) -> None:
        self.state["path"].append({"screen": screen_id, "input": given, "at": utcnow().isoformat()})

    # -- showing -------------------------------------------------------------------------

    def _labels(self, screen: dict) -> list[str]:
        return [option["label"][self.language] for option in screen.get("options") or []]

    def _prompt(self) -> tuple[str, list[str]]:
        screen_id = self.state["screen"]
        if screen_id not in self.screens and screen_id not in BUILTIN:
            screen_id = self.state["screen"] = FAILED  # the menu changed under the session
        if screen_id in BUILTIN:
            return BUILTIN[screen_id][self.language], []
        screen = self.screens[screen_id]
        result = self.state["results"].get(screen_id, "")
        prompt = screen["text"][self.language].replace("{result}", result).strip()
        return prompt, self._labels(screen)

    def _full(self) -> str:
        prompt, labels = self._prompt()
        shown = render({"text": {self.language: prompt}}, self.language, "", labels)
        return f"{self.notice}\n{shown}" if self.notice else shown

    def reply(self) -> Reply:
        screen_id = self.state["screen"]
        full = self._full()
        if self.turn.paged:
            pages = texts.pages(full, self.language)
            self.state["page"] = min(self.state["page"], len(pages) - 1)
            text = pages[self.state["page"]]
        else:
            text = full
        prompt, labels = self._prompt()
        final = self.ended or bool(self.state.get("transfer"))
        expects = None
        if not final:
            expects = "pin" if screen_id == PIN else ("option" if labels else "text")
        if self.notice:
            prompt = f"{self.notice} {prompt}"
        return Reply(
            text,
            final,
            self.language,
            expects,
            prompt,
            labels,
            self.state.get("transfer"),
            self.row.id,
        )


def _stored(reply: Reply) -> dict:
    return {k: v for k, v in vars(reply).items()}


def _reply(stored: dict, row: ChannelSession) -> Reply:
    return Reply(**{**stored, "session_id": row.id})
