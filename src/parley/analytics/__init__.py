"""Analyze & Report (eTOM 1.1.1.18.9.3): facts of closed requests and contacts, daily roll-ups
kept by the workers, KPIs and the closed-request analysis. The front door is ``service``."""
