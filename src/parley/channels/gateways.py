"""The USSD aggregators' formats, to and from the engine's turns and replies.

- Africa's Talking style: form fields ``sessionId``, ``serviceCode``, ``phoneNumber``,
  ``networkCode``, ``text`` (every input of the session so far, joined by ``*``); the answer
  is plain text starting ``CON`` (the session goes on) or ``END``.
- Hubtel: JSON ``Type`` (Initiation, Response, Release, Timeout), ``SessionId``, ``Mobile``,
  ``Message``, ``Sequence`` (1 for the initiation), ``ClientState``; the answer is JSON
  ``Type`` (Response or Release), ``Message``, ``ClientState``.
- Nalo: JSON ``USERID``, ``MSISDN``, ``USERDATA``, ``MSGTYPE`` (true: a new session),
  ``SESSIONID``; the answer echoes them with ``MSG`` and ``MSGTYPE`` (true: go on).

A request that cannot be read is ``BadGatewayRequest``: the edge answers it with the gateway's
own way of ending a session, never a server error.
"""

from parley.channels.engine import Reply, Turn

USSD = "ussd"
MAX_KEY = 200


class BadGatewayRequest(ValueError):
    pass


def _text(value, name: str, longest: int = 1000) -> str:
    if value is None or isinstance(value, dict | list):
        raise BadGatewayRequest(f"{name}: missing")
    text = str(value)
    if not text.strip() or len(text) > longest or "\x00" in text:
        raise BadGatewayRequest(f"{name}: not usable")
    return text.strip()


def _msisdn(value, name: str) -> str:
    number = _text(value, name, 32).replace(" ", "")
    digits = number[1:] if number.startswith("+") else number
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        raise BadGatewayRequest(f"{name}: not a phone number")
    return number if number.startswith("+") else f"+{number}"


def checked_key(value) -> str:
    return _text(value, "session", MAX_KEY)


def checked_msisdn(value) -> str:
    return _msisdn(value, "caller")


# -- Africa's Talking --------------------------------------------------------------------


def africastalking_turn(form) -> Turn:
    text = str(form.get("text") or "")
    if len(text) > 4000:
        raise BadGatewayRequest("text: too long")
    inputs = text.split("*") if text else []
    return Turn(
        channel=USSD,
        gateway="africastalking",
        session_key=_text(form.get("sessionId"), "sessionId", MAX_KEY),
        msisdn=_msisdn(form.get("phoneNumber"), "phoneNumber"),
        inputs=inputs,
        position=0,  # the whole session's inputs come every time
    )


def africastalking_answer(reply: Reply) -> str:
    return f"{'END' if reply.final else 'CON'} {reply.text}"


# -- Hubtel ------------------------------------------------------------------------------


def hubtel_turn(body) -> Turn:
    if not isinstance(body, dict):
        raise BadGatewayRequest("a JSON object")
    kind = str(body.get("Type") or "").lower()
    if kind not in ("initiation", "response", "release", "timeout"):
        raise BadGatewayRequest("Type: Initiation, Response, Release or Timeout")
    sequence = body.get("Sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence < 10**6:
        raise BadGatewayRequest("Sequence: a number from 1")
    message = body.get("Message")
    inputs = [str(message)] if kind == "response" and message is not None else []
    return Turn(
        channel=USSD,
        gateway="hubtel",
        session_key=_text(body.get("SessionId"), "SessionId", MAX_KEY),
        msisdn=_msisdn(body.get("Mobile"), "Mobile"),
        inputs=inputs[:1],
        position=sequence - 2 if kind == "response" else None,
        release=kind in ("release", "timeout"),
        timed_out=kind == "timeout",
    )


def hubtel_answer(reply: Reply) -> dict:
    return {
        "Type": "Release" if reply.final else "Response",
        "Message": reply.text,
        "ClientState": reply.session_id or "",
    }


# -- Nalo --------------------------------------------------------------------------------


def nalo_turn(body) -> Turn:
    if not isinstance(body, dict):
        raise BadGatewayRequest("a JSON object")
    new = body.get("MSGTYPE")
    if not isinstance(new, bool):
        raise BadGatewayRequest("MSGTYPE: true or false")
    data = body.get("USERDATA")
    return Turn(
        channel=USSD,
        gateway="nalo",
        session_key=_text(body.get("SESSIONID"), "SESSIONID", MAX_KEY),
        msisdn=_msisdn(body.get("MSISDN"), "MSISDN"),
        inputs=[] if new or data is None else [str(data)],
    )


def nalo_answer(body: dict, reply: Reply) -> dict:
    return {
        "USERID": str(body.get("USERID") or ""),
        "MSISDN": str(body.get("MSISDN") or ""),
        "USERDATA": str(body.get("USERDATA") or ""),
        "MSG": reply.text,
        "MSGTYPE": not reply.final,
    }
