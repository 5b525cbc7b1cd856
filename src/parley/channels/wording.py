"""What the engine says itself, in English and German (the menus' own texts are data), and how
it reads a caller's answer."""

import re

PIN, NO_CALLER, NO_PIN, LOCKED, FAILED = "_pin", "_unknown", "_nopin", "_locked", "_failed"
BUILTIN = {
    PIN: {"en": "Please enter your PIN:", "de": "Bitte geben Sie Ihre PIN ein:"},
    NO_CALLER: {
        "en": "We cannot match your number to a customer. Please call customer care.",
        "de": "Wir können Ihre Nummer keinem Kunden zuordnen. Bitte rufen Sie uns an.",
    },
    NO_PIN: {
        "en": "You have no PIN yet. Please call customer care to set one.",
        "de": "Sie haben noch keine PIN. Bitte rufen Sie den Kundenservice an.",
    },
    LOCKED: {
        "en": "Too many wrong PINs. Please try again later.",
        "de": "Zu viele falsche PINs. Bitte versuchen Sie es später erneut.",
    },
    FAILED: {
        "en": "Sorry, that did not work. Please try again later.",
        "de": "Das hat leider nicht geklappt. Bitte versuchen Sie es später erneut.",
    },
}
NOTICES = {
    "option": {"en": "Please choose one of the options.", "de": "Bitte wählen Sie eine Option."},
    "input": {"en": "That input is not valid.", "de": "Diese Eingabe ist ungültig."},
    "pin": {"en": "Wrong PIN ({left} tries left).", "de": "Falsche PIN (noch {left} Versuche)."},
    "ended": {"en": "This session has ended.", "de": "Diese Sitzung ist beendet."},
}


def chosen_option(text: str, labels: list[str]) -> int:
    """The option a caller chose: its number, or (spoken) words of its label."""
    if text.isdigit():
        return int(text) if len(text) <= 2 else 0
    said = text.lower().strip(" .!?")
    for number, label in enumerate(labels, 1):
        if said and (said in label.lower() or label.lower() in said):
            return number
    return 0


def valid_input(text: str, wanted: dict) -> bool:
    if not wanted.get("minLength", 1) <= len(text) <= wanted.get("maxLength", 160):
        return False
    pattern = wanted.get("pattern")
    return pattern is None or re.fullmatch(pattern, text) is not None
