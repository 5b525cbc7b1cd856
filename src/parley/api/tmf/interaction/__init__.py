"""TMF683 Party Interaction Management v5."""
