"""Every interaction with a customer, on any channel: the party interaction log (TMF683)."""
