"""Outbound communications: message templates and customers' contact preferences."""
