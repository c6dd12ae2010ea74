"""GraphQL API of the tickets service (the only package that imports Strawberry)."""
