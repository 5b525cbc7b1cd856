"""TMF699 Sales Management v4: sales leads."""
