"""Acknowledged hand-offs: orders to the ordering system and adjustments to billing that a
request waits on until the other system says how they went (docs/mediation.md, "Hand-offs and
acknowledgements"). ``service.Handoffs`` hands over and settles, ``receiving`` takes the
acknowledgements in, ``watch`` chases what gets no answer in time."""
