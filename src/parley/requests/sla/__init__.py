"""SLA clocks of requests (clocks), the watch that raises their warnings and breaches (watch),
and the listeners told of them (listeners)."""
