"""Tickets domain: what residents ask for (民情诉求) and how it is handled. Stdlib only
(plus lianxin.kit.errors for the shared error shape)."""
