// The gateway's settings, read once from LIANXIN_* environment variables (the same names and
// defaults as the Python kit's lianxin.kit.settings where they overlap). A bad value stops the
// gateway at start-up with a message naming the variable, never at the first request.
import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Environment = 'dev' | 'test' | 'production';

/** Where the gateway finds the keys that sign tokens: exactly one of the three. */
// Each accepts exactly one algorithm (LIANXIN_JWT_ALGORITHM, else the kit's default for the
// source): a token never chooses how it is checked.
export type JwtKey =
  | { kind: 'secret'; secret: string; algorithms: [string] }
  | { kind: 'public-key'; pem: string; algorithms: [string] }
  | { kind: 'jwks'; url: string; algorithms: [string] };

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const EC_ALGORITHM: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

export interface Limits {
  /** Deepest field nesting of an operation (fragments flattened; introspection not counted). */
  maxDepth: number;
  /** Aliased fields in an operation, fragments expanded. */
  maxAliases: number;
  /** Lexical tokens of a document. */
  maxTokens: number;
  /** Estimated cost of an operation (see limits.ts, `estimateCost`). */
  maxCost: number;
  /** Largest `first` a client may ask for: the subgraphs' kit MAX_PAGE_SIZE. */
  maxPageSize: number;
  /** Requests per minute per token subject (bursts up to this many, refilled evenly). */
  rateLimit: number;
}

export interface Settings {
  environment: Environment;
  jwt: JwtKey & { issuer: string; audience: string };
  limits: Limits;
  /** JSON manifest { "<sha256 of the document>": "<document>" } written by persisted.mjs. */
  persistedDocuments: string;
  /** Share one upstream request among identical in-flight ones (Hive's default; on in
   * production). Benchmarks turn it off: identical concurrent reads would be counted once. */
  deduplicateInflight: boolean;
  /** Query planning and execution: Hive Router's Rust planner (default) or the JavaScript
   * stitching runtime. */
  queryPlanner: 'rust' | 'javascript';
  /** Milliseconds the gateway waits for a subgraph's answer to a query or mutation before it
   * gives up with GATEWAY_TIMEOUT (504); subscriptions are not timed. */
  upstreamTimeoutMs: number;
  /** GraphQL requests over HTTP in the gateway at once; more are refused with 503 OVERLOADED. */
  maxInFlight: number;
  /** Refuse new requests while the event loop runs this many ms behind (0: never). */
  maxLoopLagMs: number;
}

// Above the services' own bound on a request (LIANXIN_DB_POOL_TIMEOUT_S, 5 s, plus its work), so
// an overloaded service answers OVERLOADED itself first; far below the 30 s that requests used to
// queue for, and near the time a person or a client library stops waiting. NOTES.md has the why.
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
// Far above what the services let through (20 executing per API process, each answering the rest
// with OVERLOADED within 0.25 s at most), so it bites only when the gateway's own loop falls behind.
export const DEFAULT_MAX_IN_FLIGHT = 128;
// An ordinary loop runs a few ms behind, a long synchronous step (planning a demo-loader batch on a
// busy box) ~100 ms once; a loop with a backlog is late on every tick, by seconds (NOTES.md).
export const DEFAULT_MAX_LOOP_LAG_MS = 300;

/** A setting is missing or wrong; the message names the variable and says what to set. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

// Defaults sized so our own clients pass with room to spare while the attacks named in issue 6
// (depth 50, 500 aliases, 10k tokens, a page of 10⁹) fail; NOTES.md explains each number.
export const DEFAULT_LIMITS: Limits = {
  maxDepth: 12,
  maxAliases: 100,
  maxTokens: 5000,
  maxCost: 50000,
  maxPageSize: 100,
  rateLimit: 600,
};

const LIMIT_VARIABLES: Record<keyof Limits, string> = {
  maxDepth: 'LIANXIN_GATEWAY_MAX_DEPTH',
  maxAliases: 'LIANXIN_GATEWAY_MAX_ALIASES',
  maxTokens: 'LIANXIN_GATEWAY_MAX_TOKENS',
  maxCost: 'LIANXIN_GATEWAY_MAX_COST',
  maxPageSize: 'LIANXIN_GATEWAY_MAX_PAGE_SIZE',
  rateLimit: 'LIANXIN_GATEWAY_RATE_LIMIT',
};

const ENVIRONMENTS: readonly Environment[] = ['dev', 'test', 'production'];
const DEFAULT_MANIFEST = fileURLToPath(new URL('../persisted-documents.json', import.meta.url));

/** Read and check every setting; throws SettingsError on the first bad one. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const environment = (value('LIANXIN_ENVIRONMENT') ?? 'production') as Environment;
  if (!ENVIRONMENTS.includes(environment)) {
    throw new SettingsError(
      `LIANXIN_ENVIRONMENT must be one of ${ENVIRONMENTS.join(', ')}, got ${JSON.stringify(environment)}`,
    );
  }
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(LIMIT_VARIABLES) as [keyof Limits, string][]) {
    const raw = value(name);
    if (raw === undefined) continue;
    if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
      throw new SettingsError(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
    }
    limits[key] = Number(raw);
  }
  const persistedDocuments = value('LIANXIN_GATEWAY_PERSISTED_DOCUMENTS') ?? DEFAULT_MANIFEST;
  if (!existsSync(persistedDocuments)) {
    throw new SettingsError(
      `LIANXIN_GATEWAY_PERSISTED_DOCUMENTS: no manifest at ${persistedDocuments} ` +
        '(run `make persisted` to generate gateway/persisted-documents.json)',
    );
  }
  const dedupe = value('LIANXIN_GATEWAY_DEDUPLICATE_INFLIGHT') ?? 'true';
  if (dedupe !== 'true' && dedupe !== 'false') {
    throw new SettingsError(
      `LIANXIN_GATEWAY_DEDUPLICATE_INFLIGHT must be true or false, got ${JSON.stringify(dedupe)}`,
    );
  }
  const planner = value('LIANXIN_GATEWAY_QUERY_PLANNER') ?? 'rust';
  if (planner !== 'rust' && planner !== 'javascript') {
    throw new SettingsError(
      `LIANXIN_GATEWAY_QUERY_PLANNER must be rust or javascript, got ${JSON.stringify(planner)}`,
    );
  }
  const timeout = value('LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS') ?? String(DEFAULT_UPSTREAM_TIMEOUT_MS);
  if (!/^[0-9]+$/.test(timeout) || Number(timeout) < 100 || !Number.isSafeInteger(Number(timeout))) {
    throw new SettingsError(
      `LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS must be a whole number of milliseconds, at least 100, got ${JSON.stringify(timeout)}`,
    );
  }
  const inFlight = value('LIANXIN_GATEWAY_MAX_IN_FLIGHT') ?? String(DEFAULT_MAX_IN_FLIGHT);
  if (!/^[0-9]+$/.test(inFlight) || Number(inFlight) < 1 || !Number.isSafeInteger(Number(inFlight))) {
    throw new SettingsError(
      `LIANXIN_GATEWAY_MAX_IN_FLIGHT must be a whole number of at least 1, got ${JSON.stringify(inFlight)}`,
    );
  }
  const lag = value('LIANXIN_GATEWAY_MAX_LOOP_LAG_MS') ?? String(DEFAULT_MAX_LOOP_LAG_MS);
  if (!/^[0-9]+$/.test(lag) || !Number.isSafeInteger(Number(lag))) {
    throw new SettingsError(
      `LIANXIN_GATEWAY_MAX_LOOP_LAG_MS must be a whole number of milliseconds (0: off), got ${JSON.stringify(lag)}`,
    );
  }
  return {
    environment,
    jwt: {
      ...jwtKey(value, environment),
      issuer: value('LIANXIN_JWT_ISSUER') ?? 'lianxin',
      audience: value('LIANXIN_JWT_AUDIENCE') ?? 'lianxin',
    },
    limits,
    persistedDocuments,
    deduplicateInflight: dedupe === 'true',
    queryPlanner: planner,
    upstreamTimeoutMs: Number(timeout),
    maxInFlight: Number(inFlight),
    maxLoopLagMs: Number(lag),
  };
}

function jwtKey(value: (name: string) => string | undefined, environment: Environment): JwtKey {
  const secret = value('LIANXIN_JWT_SECRET');
  const pem = value('LIANXIN_JWT_PUBLIC_KEY');
  const url = value('LIANXIN_JWT_JWKS_URL');
  const alg = value('LIANXIN_JWT_ALGORITHM');
  if (alg === 'none' || (alg !== undefined && !HMAC.includes(alg) && !ASYMMETRIC.includes(alg))) {
    throw new SettingsError(
      `LIANXIN_JWT_ALGORITHM must be one of ${[...HMAC, ...ASYMMETRIC].join(', ')}, not ${JSON.stringify(alg)}`,
    );
  }
  const given = [secret, pem, url].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new SettingsError(
      'set exactly one of LIANXIN_JWT_SECRET (HS256), LIANXIN_JWT_PUBLIC_KEY (PEM) ' +
        `or LIANXIN_JWT_JWKS_URL (${given === 0 ? 'none is set' : `${given} are set`})`,
    );
  }
  if (secret !== undefined) {
    // No refusal of the dev stack's "dev-only-" secrets here: the subgraphs refuse them in
    // production, and the gateway's production-mode tests run against dev subgraphs.
    if (secret.length < 32) throw new SettingsError('LIANXIN_JWT_SECRET must be at least 32 characters');
    if (alg !== undefined && !HMAC.includes(alg)) {
      throw new SettingsError(`LIANXIN_JWT_ALGORITHM with LIANXIN_JWT_SECRET must be one of ${HMAC.join(', ')}, not ${alg}`);
    }
    return { kind: 'secret', secret, algorithms: [alg ?? 'HS256'] };
  }
  if (pem !== undefined) {
    // One algorithm, from the key's own type: an RSA key never verifies an ES256 token.
    // A PEM squeezed onto one line (as some secret stores do) has literal \n sequences.
    const text = pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n');
    let key: ReturnType<typeof createPublicKey>;
    try {
      key = createPublicKey(text);
    } catch (error) {
      throw new SettingsError(`LIANXIN_JWT_PUBLIC_KEY is not a PEM public key: ${(error as Error).message}`);
    }
    // The algorithms a key of this type can check, the kit's default first (as lianxin.kit.settings).
    const type = key.asymmetricKeyType;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const fits =
      type === 'rsa' ? ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
      : type === 'ec' && curve && EC_ALGORITHM[curve] ? [EC_ALGORITHM[curve]!]
      : type === 'ed25519' ? ['EdDSA']
      : [];
    if (fits.length === 0) {
      throw new SettingsError(
        `LIANXIN_JWT_PUBLIC_KEY must be an RSA, EC (P-256/384/521) or Ed25519 key, got ${type}${curve ? ` ${curve}` : ''}`,
      );
    }
    if (alg !== undefined && !fits.includes(alg)) {
      throw new SettingsError(
        `LIANXIN_JWT_ALGORITHM=${alg} does not fit LIANXIN_JWT_PUBLIC_KEY (a key for ${fits.join(', ')})`,
      );
    }
    return { kind: 'public-key', pem: text, algorithms: [alg ?? fits[0]!] };
  }
  let parsed: URL;
  try {
    parsed = new URL(url!);
  } catch {
    throw new SettingsError(`LIANXIN_JWT_JWKS_URL is not a URL: ${JSON.stringify(url)}`);
  }
  // Keys fetched over plain http could be swapped in transit: production takes https only.
  const schemes = environment === 'production' ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(parsed.protocol)) {
    throw new SettingsError(
      `LIANXIN_JWT_JWKS_URL must be an ${environment === 'production' ? 'https' : 'http(s)'} URL ` +
        `in ${environment}, got ${parsed.protocol}//`,
    );
  }
  if (alg !== undefined && !ASYMMETRIC.includes(alg)) {
    throw new SettingsError(`LIANXIN_JWT_ALGORITHM with LIANXIN_JWT_JWKS_URL must be one of ${ASYMMETRIC.join(', ')}, not ${alg}`);
  }
  return { kind: 'jwks', url: parsed.toString(), algorithms: [alg ?? 'RS256'] };
}
