"""Adapters: PostgreSQL tables and repositories, the unit of work, protobuf event mapping."""
