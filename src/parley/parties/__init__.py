"""Manage Contact (eTOM 1.1.1.18.9.1): parties, customers, identification and verification."""
