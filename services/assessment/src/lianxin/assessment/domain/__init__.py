"""Assessment domain: how well the work is done, computed from events. Stdlib only."""
