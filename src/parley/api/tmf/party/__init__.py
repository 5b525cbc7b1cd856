"""TMF632 Party Management v5: individual and organization."""
