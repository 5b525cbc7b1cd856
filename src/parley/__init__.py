"""Parley: Customer Interaction Management for communication service providers."""

__version__ = "0.1.0"
