"""Prospects and sales leads (eTOM 1.1.1.18.9.1 Develop Contact): from first contact to customer."""
