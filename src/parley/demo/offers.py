"""Demo offerings: a few add-ons for residential and business customers, and one for both,
as a BSS export would bring them (``parley offers import``), so the portal's Offers page and
TMF620 have something to show."""

from parley.changes import UnitOfWork
from parley.offers import OfferImport

HEADER = "externalId,name,description,priceType,price,currency,period,segments\n"
OFFERINGS = (
    "DEMO-ROAM-EU-5,Roaming EU 5 GB,5 GB of mobile data in the EU for 30 days,"
    "recurring,5.00,EUR,month,residential",
    "DEMO-TV-SPORT,TV Sport,Live football and motor sport on your TV and phone,"
    "recurring,14.99,EUR,month,residential",
    "DEMO-DATA-10,Extra 10 GB,10 GB more data this month,oneTime,9.99,EUR,,residential|business",
    "DEMO-STATIC-IP,Static IP address,A fixed public IP address for your office line,"
    "recurring,10.00,EUR,month,business",
    "DEMO-OFFICE-365,Office apps,Office apps and 1 TB of storage for each employee,"
    "recurring,12.50,EUR,month,business",
)


def create_demo_offers(uow: UnitOfWork) -> int:
    """The demo offerings (made again on a second run: known ones are updated)."""
    done = OfferImport(uow).run(HEADER + "\n".join(OFFERINGS) + "\n", "demo-offers.csv")
    return done.created + done.updated
