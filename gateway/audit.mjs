#!/usr/bin/env node
// GraphQL over HTTP conformance: run graphql-http's server audit against one endpoint.
//
//   node audit.mjs --url http://127.0.0.1:4000/graphql --token <jwt> [--json]
//
// Every request of the audit carries `Authorization: Bearer <token>` (our endpoints answer 401
// without one, which would fail every audit for the wrong reason). The token may also come
// from LIANXIN_AUDIT_TOKEN, to keep it out of the process list.
//
// Prints one line per audit: ok / notice (a MAY not followed) / warn (a SHOULD) / error (a
// MUST), with its id, name and, when it failed, why. Exit status 1 when any audit is an
// `error`; warnings and notices are listed but do not fail the run. `--json` prints the
// results as a JSON array instead ([{id, name, status, reason?, httpStatus?}]), for tests.
import { auditServer } from 'graphql-http';

function fail(message) {
  console.error(`audit.mjs: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { url: undefined, token: process.env.LIANXIN_AUDIT_TOKEN, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`${arg} needs a value`);
      return v;
    };
    if (arg === '--url') opts.url = value();
    else if (arg === '--token') opts.token = value();
    else if (arg === '--json') opts.json = true;
    else fail(`unknown option ${arg} (options: --url URL, --token JWT, --json)`);
  }
  if (!opts.url) fail('--url is required (the GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql)');
  if (!opts.token) fail('--token (or LIANXIN_AUDIT_TOKEN) is required: the endpoints refuse requests without one');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const authorization = `Bearer ${opts.token.replace(/^Bearer\s+/i, '')}`;

// The audit calls fetchFn(url) and fetchFn(url, {method, headers, body}); add the token to each.
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', authorization);
  return fetch(input, { ...init, headers });
}

let results;
try {
  results = await auditServer({ url: opts.url, fetchFn: fetchWithToken });
} catch (err) {
  fail(`could not audit ${opts.url}: ${err?.cause?.message ?? err?.message ?? err}`);
}

const ORDER = { error: 0, warn: 1, notice: 2, ok: 3 };
results.sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.id.localeCompare(b.id));

if (opts.json) {
  const rows = results.map(({ id, name, status, reason, response }) => ({
    id, name, status, ...(reason ? { reason } : {}), ...(response ? { httpStatus: response.status } : {}),
  }));
  console.log(JSON.stringify(rows, null, 2));
} else {
  for (const r of results) {
    const why = r.status === 'ok' ? '' : `\n        ${r.reason} (HTTP ${r.response?.status ?? '?'})`;
    console.log(`${r.status.padEnd(6)} ${r.id} ${r.name}${why}`);
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  console.log(`\n${opts.url}: ${count('ok')} ok, ${count('notice')} notices, ${count('warn')} warnings, ` +
              `${count('error')} errors`);
}
process.exit(results.some((r) => r.status === 'error') ? 1 : 0);
