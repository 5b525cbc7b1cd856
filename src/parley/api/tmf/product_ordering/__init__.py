"""TMF622 Product Ordering v5: the listener the ordering system tells Parley's orders' states to
(Parley is the ordering system's client; it serves no product orders itself)."""
