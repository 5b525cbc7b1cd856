"""TMF683 Party Interaction v4, over the same store as v5."""
