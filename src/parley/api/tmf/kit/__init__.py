"""The TMF kit: what every TMF Open API endpoint in Parley shares (errors, query, shapes)."""
