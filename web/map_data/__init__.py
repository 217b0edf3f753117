"""Boundary data of the map pages: shapes.json and the script that builds it."""
