"""Demo data: a county shaped like the seeds (墨江哈尼族自治县, Mojiang) — townships, villages,
grids, departments and party organisations, a few hundred households with their members and
needs tags, cadres of every rank, campaigns, pairings and visits, and sixty demands (tickets)
in every state of the workflow — loaded through the public GraphQL API with an admin token,
exactly as a client would create it, never by SQL.

    names.py     place names, name characters, diary phrases, demands and how they are handled
    county.py    the org tree and `build_county()`: every mutation input, in dependency order
    register.py  households, residents, needs tags
    work.py      cadres, campaigns, pairings, visits
    tickets.py   demands and their workflow steps (`PLAN`: one line per ticket)
    load.py      `load_demo()`: batched aliased mutations over HTTP
    history.py   months of demands before the load, with a designed quality profile per
                 township and month, imported as a ledger (`load_history()`): the one part not
                 sent as mutations, since live steps are stamped with the time of the request

Ids are uuid5 of a fixed namespace and a stable key, dates are fixed, and every mutation returns
the stored entity when called again with the same id and content — a workflow step, the ticket
as it is when called again with the same request id — so loading twice changes nothing.
"""

from lianxin.kit.devstack.demo.county import DEMO_NAMESPACE, build_county, demo_id, unit_id
from lianxin.kit.devstack.demo.load import DemoLoadError, DemoSummary, load_demo, post_graphql

__all__ = ["DEMO_NAMESPACE", "DemoLoadError", "DemoSummary", "build_county", "demo_id",
           "load_demo", "post_graphql", "unit_id"]
