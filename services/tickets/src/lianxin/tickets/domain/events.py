"""Domain events of the tickets service."""

from __future__ import annotations

from dataclasses import dataclass

from lianxin.tickets.domain.ticket import Ticket


@dataclass(frozen=True, slots=True)
class TicketSubmitted:
    ticket: Ticket


Event = TicketSubmitted
