"""Use cases of the assessment service: projections fed by events, and queries."""
