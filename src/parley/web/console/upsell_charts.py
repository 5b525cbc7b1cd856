"""The dashboard's up-sell charts (``report:read``): offers by rule and acceptance by offering,
each drawn from the table beside it as the dashboard's other charts are."""

from parley.analytics.analysis import Period
from parley.analytics.upsell import UpsellAcceptance
from parley.web.access import Visitor
from parley.web.console.dashboard import Chart


def acceptance_charts(visitor: Visitor, period: Period) -> list[Chart]:
    """Up-sell acceptance for the dashboard: offers by rule (shown, accepted, refused) and
    the share accepted by offering (docs/analytics.md, "Up-sell acceptance")."""
    gettext, acceptance = visitor.locale.gettext, UpsellAcceptance(visitor.uow)
    by_rule = acceptance.figures(period.start, period.end, ["rule"])["groups"]
    by_offering = acceptance.figures(period.start, period.end, ["offering"])["groups"]
    return [
        Chart(
            "upsell-rules",
            gettext("Up-sell offers by rule"),
            "bar",
            gettext("Rule"),
            [gettext("Shown"), gettext("Accepted"), gettext("Refused")],
            [(g["rule"], [g["shown"], g["accepted"], g["refused"]]) for g in by_rule],
        ),
        Chart(
            "upsell-offerings",
            gettext("Up-sell acceptance by offering"),
            "bar",
            gettext("Offering"),
            [gettext("Accepted")],
            [
                (g["productOffering"]["name"] or g["productOffering"]["id"], [g["acceptanceRate"]])
                for g in by_offering
            ],
            percent=True,
        ),
    ]
