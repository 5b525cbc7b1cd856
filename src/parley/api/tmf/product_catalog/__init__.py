"""TMF620 Product Catalog Management v5: the offer catalogue (productOffering)."""
