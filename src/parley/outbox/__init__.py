"""The transactional outbox: side effects stored with the change that causes them, delivered by
workers (docs/outbox.md)."""
