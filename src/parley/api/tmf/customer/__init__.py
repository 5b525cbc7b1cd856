"""TMF629 Customer Management v5: customer."""
