"""Use cases of the tickets service: one async function per command, reached from GraphQL and
from the event consumer alike."""
