"""The menu a new installation starts with (migration 0026 seeds it; 0041 adds the add-ons to
an installation's menu as shipped): the status of my latest requests, report a fault, a
callback, add-ons from the offer catalogue, my bill delivery and language, and an agent."""


def _t(en: str, de: str) -> dict:
    return {"en": en, "de": de}


def _option(en: str, de: str, following: str) -> dict:
    return {"label": _t(en, de), "next": following}


BACK_HOME = [_option("Main menu", "Hauptmenü", "home")]
ADDONS_OPTION = _option("Add-ons", "Zusatzpakete", "addons")
# The caller's selectable add-ons, numbered; the number chosen raises the add-on request.
ADDON_SCREENS = {
    "addons": {
        "text": _t("{result}", "{result}"),
        "action": "addons.list",
        "input": {
            "name": "choice",
            "minLength": 1,
            "maxLength": 1,
            "pattern": "^[1-9]$",
            "error": _t("Reply with the add-on's number.", "Antworten Sie mit der Nummer."),
        },
        "next": "addonChosen",
    },
    "addonChosen": {
        "text": _t("{result}", "{result}"),
        "action": "addon.select",
        "params": {"choice": "choice"},
    },
}
SELFCARE_MENU = {
    "code": "selfcare",
    "name": "Self-care",
    "start": "home",
    "screens": {
        "home": {
            "text": _t("Welcome to customer care", "Willkommen beim Kundenservice"),
            "options": [
                _option("My requests", "Meine Anfragen", "status"),
                _option("Report a fault", "Störung melden", "fault"),
                _option("Call me back", "Rückruf", "callback"),
                _option("My preferences", "Einstellungen", "preferences"),
                _option("Speak to an agent", "Mitarbeiter", "agent"),
                # Last: callers who know the keys of the others by heart keep them.
                ADDONS_OPTION,
            ],
        },
        "status": {
            "text": _t("{result}", "{result}"),
            "action": "requests.latest",
            "options": BACK_HOME,
        },
        "fault": {
            "text": _t("Describe the fault briefly:", "Beschreiben Sie die Störung kurz:"),
            "input": {
                "name": "details",
                "minLength": 3,
                "maxLength": 120,
                "error": _t("Please use 3 to 120 characters.", "Bitte 3 bis 120 Zeichen."),
            },
            "next": "faultRaised",
        },
        "faultRaised": {
            "text": _t("{result}", "{result}"),
            "action": "request.create",
            "params": {"requestType": "fault.repair", "description": "details"},
        },
        "callback": {
            "text": _t("When shall we call you?", "Wann dürfen wir anrufen?"),
            "options": [
                _option("Morning (8-12)", "Vormittags (8-12)", "callbackMorning"),
                _option("Afternoon (12-17)", "Nachmittags (12-17)", "callbackAfternoon"),
                _option("Evening (17-20)", "Abends (17-20)", "callbackEvening"),
            ],
        },
        "callbackMorning": {
            "text": _t("{result}", "{result}"),
            "action": "callback.request",
            "params": {"requestType": "callback", "window": "08:00-12:00"},
        },
        "callbackAfternoon": {
            "text": _t("{result}", "{result}"),
            "action": "callback.request",
            "params": {"requestType": "callback", "window": "12:00-17:00"},
        },
        "callbackEvening": {
            "text": _t("{result}", "{result}"),
            "action": "callback.request",
            "params": {"requestType": "callback", "window": "17:00-20:00"},
        },
        **ADDON_SCREENS,
        "preferences": {
            "text": _t("Preferences", "Einstellungen"),
            "options": [
                _option("Bills by email", "Rechnung per E-Mail", "billEmail"),
                _option("Bills by SMS", "Rechnung per SMS", "billSms"),
                _option("English", "Englisch", "languageEn"),
                _option("Deutsch", "Deutsch", "languageDe"),
                _option("Main menu", "Hauptmenü", "home"),
            ],
        },
        "billEmail": {
            "text": _t("{result}", "{result}"),
            "action": "preference.set",
            "params": {"field": "billDelivery", "value": "email"},
            "options": BACK_HOME,
        },
        "billSms": {
            "text": _t("{result}", "{result}"),
            "action": "preference.set",
            "params": {"field": "billDelivery", "value": "sms"},
            "options": BACK_HOME,
        },
        "languageEn": {
            "text": _t("{result}", "{result}"),
            "action": "preference.set",
            "params": {"field": "language", "value": "en"},
            "options": BACK_HOME,
        },
        "languageDe": {
            "text": _t("{result}", "{result}"),
            "action": "preference.set",
            "params": {"field": "language", "value": "de"},
            "options": BACK_HOME,
        },
        "agent": {
            "text": _t("{result}", "{result}"),
            "action": "transfer",
            "params": {"queue": "customer-care"},
        },
    },
}
DEFAULT_MENUS = (SELFCARE_MENU,)


def ensure_default_menus(session) -> None:
    """Add any default menu that is missing (the migration seeds them; tests empty tables)."""
    # Imported here: migration 0026 imports this module for its data, not the domain.
    import copy

    from parley.channels.models import ChannelMenu
    from parley.channels.repository import ChannelRepository
    from parley.db.base import new_id, utcnow

    repo = ChannelRepository(session)
    for document in DEFAULT_MENUS:
        if repo.menu(document["code"]) is None:
            now = utcnow()
            repo.add(
                ChannelMenu(
                    id=new_id(),
                    code=document["code"],
                    name=document["name"],
                    version=1,
                    document=copy.deepcopy(document),
                    created_at=now,
                    updated_at=now,
                )
            )
