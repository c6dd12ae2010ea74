"""Adapters: PostgreSQL mapping and repositories, the unit of work, protobuf event mapping."""
