"""The same menus spoken: TwiML documents (Twilio's webhook answers) and VoiceXML 2.1
documents, made from the engine's replies.

A screen with options gathers one key or the spoken label; an input screen gathers digits
ended by ``#`` or speech; the PIN only keys. When nothing is heard the document asks again
(``<Redirect>`` in TwiML, ``<noinput><reprompt/>`` in VoiceXML). A transfer to an agent queue
ends the self-service part: TwiML ``<Dial>`` the queue with the caller, customer and
interaction as ``<Parameter>``s; VoiceXML ``<transfer>`` with them in ``aai``.
"""

from xml.etree.ElementTree import Element, SubElement, tostring

from parley.channels.engine import Reply

VOICES = {"en": "en-GB", "de": "de-DE"}
PRESS = {"en": "For {label}, press {number}.", "de": "Für {label} drücken Sie die {number}."}
VXML_NS = "http://www.w3.org/2001/vxml"


def spoken(reply: Reply) -> str:
    lines = [reply.prompt]
    lines += [
        PRESS[reply.language].format(label=label, number=number)
        for number, label in enumerate(reply.options, 1)
    ]
    return " ".join(line for line in lines if line)


def _handover(reply: Reply) -> dict[str, str]:
    transfer = reply.transfer or {}
    given = {
        "msisdn": transfer.get("msisdn"),
        "customerId": transfer.get("customerId"),
        "interactionId": transfer.get("interactionId"),
    }
    return {name: value for name, value in given.items() if value}


def _xml(root: Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode")


# -- TwiML --------------------------------------------------------------------------------


def twiml(reply: Reply, action_url: str) -> str:
    response = Element("Response")
    language = VOICES[reply.language]
    if reply.final:
        SubElement(response, "Say", language=language).text = spoken(reply)
        if reply.transfer:
            dial = SubElement(response, "Dial")
            client = SubElement(dial, "Client")
            SubElement(client, "Identity").text = reply.transfer["queue"]
            for name, value in _handover(reply).items():
                SubElement(client, "Parameter", name=name, value=value)
        else:
            SubElement(response, "Hangup")
        return _xml(response)
    gather = {
        "action": action_url,
        "method": "POST",
        "language": language,
        "timeout": "6",
        "input": "dtmf" if reply.expects == "pin" else "dtmf speech",
    }
    if reply.expects == "option":
        gather["numDigits"] = "1"
    else:
        gather["finishOnKey"] = "#"
        gather["speechTimeout"] = "auto"
    say = SubElement(SubElement(response, "Gather", **gather), "Say", language=language)
    say.text = spoken(reply)
    SubElement(response, "Redirect", method="POST").text = action_url
    return _xml(response)


# -- VoiceXML 2.1 -------------------------------------------------------------------------


def _vxml(language: str) -> Element:
    return Element("vxml", {"version": "2.1", "xmlns": VXML_NS, "xml:lang": VOICES[language]})


def vxml_start(submit_url: str, language: str) -> str:
    """The first document: hands the caller's number (the session's remote URI) back."""
    root = _vxml(language)
    form = SubElement(root, "form", id="start")
    SubElement(form, "var", name="caller", expr="session.connection.remote.uri")
    block = SubElement(form, "block")
    SubElement(block, "submit", next=submit_url, method="post", namelist="caller")
    return _xml(root)


def vxml(reply: Reply, submit_url: str, transfer_uri: str) -> str:
    root = _vxml(reply.language)
    form = SubElement(root, "form", id="screen")
    if reply.final:
        if reply.transfer:
            aai = ";".join(f"{name}={value}" for name, value in _handover(reply).items())
            dest = transfer_uri.replace("{queue}", reply.transfer["queue"])
            transfer = SubElement(form, "transfer", name="agent", dest=dest, type="blind", aai=aai)
            SubElement(transfer, "prompt").text = spoken(reply)
        else:
            block = SubElement(form, "block")
            SubElement(block, "prompt").text = spoken(reply)
            SubElement(block, "disconnect")
        return _xml(root)
    if reply.expects == "text":
        # Free text is spoken: the platform records it; Parley takes note that it was said.
        field = SubElement(
            form, "record", name="answer", beep="true", maxtime="20s", finalsilence="2s"
        )
    else:
        kind = "digits?length=1" if reply.expects == "option" else "digits?minlength=4;maxlength=8"
        field = SubElement(form, "field", name="answer", type=kind)
    SubElement(field, "prompt").text = spoken(reply)
    SubElement(SubElement(field, "noinput"), "reprompt")
    SubElement(SubElement(field, "nomatch"), "reprompt")
    filled = SubElement(field, "filled")
    names = "recorded" if reply.expects == "text" else "answer"
    if reply.expects == "text":
        SubElement(filled, "var", name="recorded", expr="'(voice message)'")
    SubElement(filled, "submit", next=submit_url, method="post", namelist=names)
    return _xml(root)
