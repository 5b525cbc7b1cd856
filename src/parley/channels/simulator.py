"""A handset in the terminal: plays a menu as a USSD phone or an IVR call would, for demos and
for administrators trying their menus (``parley channel ussd --msisdn ...``). Every step is
a real step of the engine (a session, an interaction, requests raised), in its own unit of
work as a gateway's request would be."""

import textwrap
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

from parley.changes import UnitOfWork
from parley.channels.engine import MenuEngine, Reply, Turn
from parley.channels.voice import spoken

WIDTH = 28  # about a feature phone's screen


def screen(reply: Reply, channel: str) -> str:
    if channel == "ivr":
        said = textwrap.fill(spoken(reply), 72)
        return f"(the call says) {said}" + ("\n(the call ends)" if reply.final else "")
    lines = []
    for line in reply.text.split("\n"):
        lines += textwrap.wrap(line, WIDTH) or [""]
    border = "+" + "-" * (WIDTH + 2) + "+"
    body = [f"| {line:<{WIDTH}} |" for line in lines]
    end = "(session ended)" if reply.final else ""
    return "\n".join([border, *body, border, end]).rstrip()


def play(
    work: Callable[[], AbstractContextManager[UnitOfWork]],
    channel: str,
    msisdn: str,
    read: Callable[[str], str | None],
    show: Callable[[str], None],
) -> int:
    """Play until the session ends or input ends (None: the caller hangs up); returns the
    number of steps taken."""
    turn = Turn(channel, "simulator", f"sim-{uuid.uuid4().hex}", msisdn, paged=channel == "ussd")
    steps = 0
    while True:
        with work() as uow:
            reply = MenuEngine(uow).handle(turn)
        steps += 1
        show(screen(reply, channel))
        if reply.final or turn.release:
            return steps
        given = read("keys or words> " if channel == "ivr" else "reply> ")
        position = (turn.position or 0) + len(turn.inputs)
        if given is None:
            turn = Turn(channel, "simulator", turn.session_key, msisdn, [], position, True,
                        turn.paged)  # fmt: skip
        else:
            turn = Turn(channel, "simulator", turn.session_key, msisdn, [given], position,
                        paged=turn.paged)  # fmt: skip
