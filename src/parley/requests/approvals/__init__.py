"""Approvals: an adjustment above its requester's limit waits for a supervisor whose own limit
covers it (service), with its table (models) and queries (repository)."""
