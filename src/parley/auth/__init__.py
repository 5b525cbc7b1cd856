"""Roles and credentials: users, roles and permissions, tokens, the audit trail."""
