"""TMF629 Customer Management v4, over the same customers as v5."""
