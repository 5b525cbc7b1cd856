"""Checking a workflow document before it is saved: every stage, transition, guard and action
must make sense, so that a workflow never fails at run time on something a check could see.

A document::

    {"code": "fault.repair", "name": "...", "status": "active", "initialStage": "diagnose",
     "stages": [{"code", "name", "nextStep"?, "final"?, "onEnter": [action, ...]}, ...],
     "transitions": [{"from": stage | "*", "on": event, "when": [guard, ...],
                      "do": [action, ...], "to"?: stage}, ...]}

An action is ``{"action": name, ...parameters}``, a guard ``{"guard": name, ...parameters}``
(rules has the catalogue). Events are dotted names: Parley's own (``task.completed``,
``task.handedBack``, ``task.assigned``, ``stage.entered``, ``status.<status>``,
``request.reopened``, ``sla.warning``, ``sla.breach``) or any other given from outside.
"""

import copy
import re

from parley.errors import InvalidInput
from parley.requests.workflow.models import WORKFLOW_STATUSES
from parley.requests.workflow.rules import ACTIONS, GUARDS, Known

CODE = re.compile(r"[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*")
EVENT = re.compile(r"[a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+")
ANY_STAGE = "*"
SERVER_FIELDS = ("id", "href", "version", "creationDate", "lastUpdate")


def check_code(value, where: str = "code") -> str:
    if not isinstance(value, str) or len(value) > 64 or not CODE.fullmatch(value):
        raise InvalidInput(
            f"{where}: lower-case letters and digits in parts joined by '.', '-' or '_' "
            "(e.g. fault.repair), at most 64 characters",
            where,
        )
    return value


def check_event(value, where: str) -> str:
    if not isinstance(value, str) or len(value) > 64 or not EVENT.fullmatch(value):
        raise InvalidInput(
            f"{where}: an event name in dotted parts, e.g. task.completed or customer.replied "
            "(at most 64 characters)",
            where,
        )
    return value


# Events only Parley raises: a caller from outside can't fake them.
PARLEY_EVENTS = ("task.", "stage.", "status.", "request.", "sla.")


def check_external_event(value) -> str:
    event = check_event(value, "event")
    if event.startswith(PARLEY_EVENTS):
        raise InvalidInput(
            f"event: {event} is raised by Parley itself; events from outside may not start "
            f"with {', '.join(PARLEY_EVENTS)}",
            "event",
        )
    return event


def check_name(value, where: str = "name", longest: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        raise InvalidInput(f"{where}: required, at most {longest} characters", where)
    return value


def checked_workflow(document, known: Known) -> dict:
    """The document as it will be stored, or a 400 naming the first thing wrong with it."""
    if not isinstance(document, dict):
        raise InvalidInput("a workflow is a JSON object")
    document = copy.deepcopy(document)
    for key in SERVER_FIELDS:
        document.pop(key, None)
    check_code(document.get("code"))
    check_name(document.get("name"))
    if document.get("description") is not None:
        check_name(document["description"], "description", 1000)
    document.setdefault("status", "active")
    if document["status"] not in WORKFLOW_STATUSES:
        raise InvalidInput(f"status: one of {', '.join(WORKFLOW_STATUSES)}", "status")
    stages = document.get("stages")
    if not isinstance(stages, list) or not stages:
        raise InvalidInput("stages: a workflow needs at least one stage", "stages")
    codes: list[str] = []
    for index, stage in enumerate(stages):
        where = f"stages[{index}]"
        if not isinstance(stage, dict):
            raise InvalidInput(f"{where}: an object with code, name and onEnter")
        unknown = sorted(set(stage) - {"code", "name", "nextStep", "final", "onEnter"})
        if unknown:
            raise InvalidInput(f"{where}: unknown field {unknown[0]}")
        codes.append(check_code(stage.get("code"), f"{where}.code"))
        check_name(stage.get("name"), f"{where}.name")
        if stage.get("nextStep") is not None:
            check_name(stage["nextStep"], f"{where}.nextStep", 500)
        if not isinstance(stage.get("final", False), bool):
            raise InvalidInput(f"{where}.final: true or false")
        _actions(stage.setdefault("onEnter", []), f"{where}.onEnter", known)
    if len(set(codes)) != len(codes):
        raise InvalidInput("stages: each stage code is used once", "stages")
    document.setdefault("initialStage", codes[0])
    _stage(document["initialStage"], "initialStage", codes)
    transitions = document.setdefault("transitions", [])
    if not isinstance(transitions, list):
        raise InvalidInput("transitions: a list", "transitions")
    for index, transition in enumerate(transitions):
        _transition(transition, f"transitions[{index}]", codes, known)
    return document


def _transition(transition, where: str, stages: list[str], known: Known) -> None:
    if not isinstance(transition, dict):
        raise InvalidInput(f"{where}: an object with from, on, when, do and to")
    unknown = sorted(set(transition) - {"from", "on", "when", "do", "to"})
    if unknown:
        raise InvalidInput(f"{where}: unknown field {unknown[0]}")
    source = transition.get("from")
    if source != ANY_STAGE:
        _stage(source, f"{where}.from", stages, "or * for any stage")
    check_event(transition.get("on"), f"{where}.on")
    guards = transition.setdefault("when", [])
    if not isinstance(guards, list):
        raise InvalidInput(f"{where}.when: a list of guards")
    for index, guard in enumerate(guards):
        spot = f"{where}.when[{index}]"
        name = guard.get("guard") if isinstance(guard, dict) else None
        if name not in GUARDS:
            raise InvalidInput(f"{spot}: unknown guard {name!r} (one of {', '.join(GUARDS)})")
        GUARDS[name].check({k: v for k, v in guard.items() if k != "guard"}, spot, known)
    _actions(transition.setdefault("do", []), f"{where}.do", known)
    if transition.get("to") is not None:
        _stage(transition["to"], f"{where}.to", stages)
    elif not transition["do"]:
        raise InvalidInput(f"{where}: a transition moves to a stage (to) or does something (do)")


def _actions(actions, where: str, known: Known) -> None:
    if not isinstance(actions, list):
        raise InvalidInput(f"{where}: a list of actions")
    for index, action in enumerate(actions):
        spot = f"{where}[{index}]"
        name = action.get("action") if isinstance(action, dict) else None
        if name not in ACTIONS:
            raise InvalidInput(f"{spot}: unknown action {name!r} (one of {', '.join(ACTIONS)})")
        ACTIONS[name].check(action, spot, known)


def _stage(value, where: str, stages: list[str], also: str = "") -> None:
    if value not in stages:
        suffix = f" {also}" if also else ""
        raise InvalidInput(f"{where}: no stage {value!r} (stages: {', '.join(stages)}){suffix}")


def stage_of(document: dict, code: str | None) -> dict | None:
    return next((s for s in document["stages"] if s["code"] == code), None)


def queues_named(document: dict) -> set[str]:
    """The task queues a workflow document names in its actions."""
    actions = [a for stage in document.get("stages", []) for a in stage.get("onEnter", [])]
    actions += [a for t in document.get("transitions", []) for a in t.get("do", [])]
    return {a["queue"] for a in actions if a.get("queue")}
