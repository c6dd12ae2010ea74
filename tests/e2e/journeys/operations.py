"""The staff front ends' operations, as the cadre app (and the dev tools) write them: one named
operation each, the whole input as one variable, every mutation asking for its result union —
the object, or the UserError saying what to fix (code, message, the input field to blame).

The mini-program's operations are not here: they are persisted documents, one file each in
clients/miniprogram/."""

from __future__ import annotations

# --- tickets: the steps of a demand (民情诉求) --------------------------------------------------
# Every ticket step answers the ticket after the step, or the UserError saying why nothing changed.
TICKET_STEP = """fragment TicketStep on TicketResult {
  __typename
  ... on Ticket { id code status handlingUnit { id } acceptDue { at }
    handleDue { at provisional overdue }
    assignments { role status responsibleName task standard due department { id } } }
  ... on UserError { code message field }
}"""


def _step(operation: str, field: str, input_type: str) -> str:
    return (f"mutation {operation}($input: {input_type}!) {{\n"
            f"  {field}(input: $input) {{ ...TicketStep }}\n}}\n{TICKET_STEP}")


RECORD_DEMAND = _step("RecordDemand", "submitTicket", "SubmitTicketInput")
ACCEPT = _step("AcceptTicket", "acceptTicket", "AcceptTicketInput")
HANDLE_HERE = _step("HandleTicketHere", "handleTicketHere", "HandleTicketHereInput")
ESCALATE = _step("EscalateTicket", "escalateTicket", "EscalateTicketInput")
DISPATCH = _step("DispatchTicket", "dispatchTicket", "DispatchTicketInput")
START = _step("StartTicket", "startTicket", "StartTicketInput")
RESOLVE = _step("ResolveTicket", "resolveTicket", "ResolveTicketInput")
RESOLVE_ON_THE_SPOT = _step("ResolveOnTheSpot", "resolveOnTheSpot", "ResolveOnTheSpotInput")
ANSWER = _step("AnswerTicket", "answerTicket", "AnswerTicketInput")
RETURN_VISIT = _step("RecordReturnVisit", "recordReturnVisit", "RecordReturnVisitInput")

STAFF_TICKET = """query StaffTicket($id: ID!) {
  ticket(id: $id) { id code status orgUnit { id name } handlingUnit { id name } contact { householdId } } }"""

# --- people: visits (走访), logged offline and synced ------------------------------------------
LOG_VISIT = """mutation LogVisit($input: LogVisitInput!) {
  logVisit(input: $input) { __typename
    ... on Visit { id kind visitedOn ticketIds households { id } }
    ... on UserError { code message field } } }"""
VISIT_WITH_DEMANDS = """query VisitWithDemands($id: ID!) {
  visit(id: $id) { id visitedOn notes cadre { id name } ticketIds
    tickets { id code status channel handlingUnit { id } } } }"""
MY_VISITS = """query MyVisits($cadre: ID!) { cadre(id: $cadre) { visits { nodes { id visitedOn } } } }"""

# --- dev and test stacks only (admin): the tickets service's clock and SLA sweep ----------------
SET_SERVICE_CLOCK = """mutation SetServiceClock($at: DateTime!) {
  setServiceClock(at: $at) { now offsetSeconds } }"""
RUN_SLA_SWEEP = """mutation RunSlaSweep { runSlaSweep { overdue noticesOpened } }"""
