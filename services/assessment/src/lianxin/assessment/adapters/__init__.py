"""Adapters: projection tables, repositories, the unit of work."""
