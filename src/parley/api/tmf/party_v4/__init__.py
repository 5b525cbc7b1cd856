"""TMF632 Party Management v4, over the same individuals and organisations as v5."""
