"""Domain events: what changed in a TMF resource, told to hub subscribers and the event bus."""
