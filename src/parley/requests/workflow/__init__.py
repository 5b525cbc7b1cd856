"""Workflows as data: their definitions and rules (definitions, rules), the engine moving a
request through its stages (engine), the tasks it creates (task_records), and their tables."""
