"""The vocabulary of the demo data set: a German telco's customers."""

# fmt: off
MOBILE_PREFIXES = (
    "1511", "1512", "1514", "1515", "1516", "1517", "1520", "1522", "1523", "1525", "1573",
    "1575", "1577", "1590", "160", "162", "163", "170", "171", "172", "173", "174", "175",
    "176", "177", "178", "179",
)
# fmt: on
# (city, area code, register court): an organisation's seat, switchboard and register agree.
SEATS = (
    ("Berlin", "30", "Amtsgericht Charlottenburg"),
    ("Hamburg", "40", "Amtsgericht Hamburg"),
    ("München", "89", "Amtsgericht München"),
    ("Köln", "221", "Amtsgericht Köln"),
    ("Frankfurt am Main", "69", "Amtsgericht Frankfurt am Main"),
    ("Stuttgart", "711", "Amtsgericht Stuttgart"),
    ("Düsseldorf", "211", "Amtsgericht Düsseldorf"),
    ("Leipzig", "341", "Amtsgericht Leipzig"),
    ("Hannover", "511", "Amtsgericht Hannover"),
    ("Nürnberg", "911", "Amtsgericht Nürnberg"),
)
# fmt: off
TRADES = (
    "Logistik", "Haustechnik", "IT-Service", "Immobilien", "Elektro", "Metallbau",
    "Steuerberatung", "Gastronomie", "Medien", "Bau", "Consulting", "Autohaus",
)
# Weighted by how common each form is among small business customers.
LEGAL_FORMS = (
    "GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "UG (haftungsbeschränkt)", "e.K.",
)
# fmt: on
STATUS_REASONS = {
    "suspended": ("Two invoices unpaid", "SIM reported stolen", "Fraud check pending"),
    "disconnected": (
        "Contract ended by the customer",
        "Moved abroad",
        "Contract ended for non-payment",
    ),
    "closed": ("Account settled and closed", "Customer deceased; estate settled"),
    "prospective": ("Web shop lead", "Shop visit, offer sent"),
}
NOTES = (
    "Called about roaming charges from a trip to Austria; explained EU roam-like-at-home, "
    "no refund due.",
    "Asked for a tariff upgrade to the 50 GB plan; offer sent by email.",
    "Complained about slow DSL in the evenings; line test OK, ticket opened with field service.",
    "Requested a paper invoice instead of the online invoice; switched, fee explained.",
    "New SIM sent after phone was lost; old SIM blocked.",
    "Wants to port the number to a new provider at contract end; informed about notice period.",
    "Disputed a premium SMS charge of 9.99 EUR; third-party block set, credit as goodwill.",
    "Moving house next month; relocation of the home internet booked.",
    "Asked about eSIM for a new smartwatch; explained MultiSIM option.",
    "Prefers to be contacted by email, not by phone.",
)
