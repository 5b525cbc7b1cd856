"""Billing accounts (TMF666): the rules (service), document checks and columns (projection) and
queries (repository); their tables are the parties' (parties.models)."""
