"""GraphQL API of the assessment service."""
