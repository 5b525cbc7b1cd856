"""Identification: who is calling, found by any key (customer number, MSISDN, email, account,
national id) or a fuzzy name and address (matching), on prebuilt queries (repository)."""
