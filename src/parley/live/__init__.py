"""Live updates: what changed, told at once to the browsers it concerns (docs/console.md).

Domain events recorded by a unit of work become small live messages (``messages.py``: a topic,
the id of what changed, who may hear of it) through the feeds the domains register. When the
writing transaction commits they reach the process's hub (``hub.py``), which hands each to the
open Server-Sent-Events streams it concerns; on PostgreSQL every API process hears every
message through ``LISTEN``/``NOTIFY`` (``postgres.py``), whichever process made the change.
"""
