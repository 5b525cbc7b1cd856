"""Manage Request (eTOM 1.1.1.18.9.2): request types, requests as TMF621 trouble tickets."""
