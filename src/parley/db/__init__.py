"""Database engine, sessions, migrations and the few dialect-specific features."""
