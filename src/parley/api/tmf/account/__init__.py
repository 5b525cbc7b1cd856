"""TMF666 Account Management v5: billing accounts."""
