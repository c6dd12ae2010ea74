"""Use cases of the people service: each is one async function taking a command and a unit of work."""
