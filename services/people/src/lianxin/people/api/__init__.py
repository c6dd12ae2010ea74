"""GraphQL API of the people service (the only package that imports Strawberry)."""
