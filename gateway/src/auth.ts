// Authentication at the gateway: every GraphQL request (HTTP, SSE, or an operation on a
// WebSocket) needs a valid bearer token; /healthcheck and /readiness never reach this.
//
// Hive's JWT plugin (useJWT) verifies the signature and the alg, iss, aud and exp claims. It answers
// every failure with a bare "Unauthenticated", so before handing it the token we read the token's
// unverified header and claims to tell the client what to fix (expired, wrong issuer, alg none, …).
// That reading only chooses the message: whatever passes it is still verified by useJWT, and a
// token that fails only there has a bad signature (or a kid no key matches).
//
// WebSockets: Hive acknowledges connection_init before any plugin runs (its WebSocket server has no
// connection hook), so the token in the payload is checked at the socket's first operation. That
// operation gets the UNAUTHENTICATED error, then the socket is closed with 4403 Forbidden, as
// graphql-ws refuses a connection.
import {
  createInlineSigningKeyProvider,
  createRemoteJwksSigningKeyProvider,
  useJWT,
  type GatewayPlugin,
} from '@graphql-hive/gateway';
import { createPublicKey, createSecretKey } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { CODES, requestError } from './errors.ts';
import type { Settings } from './settings.ts';

/** Token roles, as lianxin.kit.auth.ROLES. */
export const ROLES = ['resident', 'cadre', 'supervisor', 'analyst', 'screen', 'admin', 'system'] as const;

/** The verified claims a request runs with (context.jwt.payload). */
export interface Claims {
  sub: string;
  role: (typeof ROLES)[number];
  org_scope?: string[];
  iss: string;
  aud: string | string[];
  exp: number;
}

const HOW =
  'send the header "Authorization: Bearer <token>" (on a WebSocket: the connection_init payload ' +
  '{"authorization": "Bearer <token>"})';

export function unauthenticated(message: string): GraphQLError {
  // The WWW-Authenticate header is what RFC 9110 asks of a 401.
  return requestError(CODES.UNAUTHENTICATED, message, {
    status: 401,
    spec: false,
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}

/** What a client sees when only the signature check failed (useJWT says just "Unauthenticated"). */
export function signatureError(): GraphQLError {
  return unauthenticated(
    "the token's signature does not verify with this gateway's key: it was not issued by this " +
      "deployment's identity provider (or was altered); sign in again for a new token",
  );
}

/** When no key could be found to check the token: an unknown kid, or the JWKS URL unreachable. */
export function noKeyError(): GraphQLError {
  return unauthenticated(
    "no key of this gateway's identity provider matches the token's kid (or the provider's keys " +
      'could not be fetched); sign in again, and report it if it persists',
  );
}

/** The gateway's JWT verification, with the lookup that explains refusals. */
export function authPlugin(settings: Settings): GatewayPlugin {
  const { jwt } = settings;
  const signingKeyProvider =
    jwt.kind === 'jwks'
      ? // Cached and rate limited: an unknown kid must not make the gateway hammer the provider.
        createRemoteJwksSigningKeyProvider({ jwksUri: jwt.url, cache: true, rateLimit: true, timeout: 5000 })
      : // A key object made once: given the text, jsonwebtoken parsed it on every request (trying
        // it as a public key first), ~7 % of the gateway's busy time (bench/RESULTS.md, P1).
        createInlineSigningKeyProvider(
          (jwt.kind === 'secret' ? createSecretKey(Buffer.from(jwt.secret)) : createPublicKey(jwt.pem)) as never,
        );
  const verifier = useJWT({
    signingKeyProviders: [signingKeyProvider],
    tokenLookupLocations: [({ request, serverContext }) => lookupToken(request, serverContext, settings)],
    tokenVerification: { algorithms: [...jwt.algorithms], issuer: jwt.issuer, audience: jwt.audience },
    reject: { missingToken: true, invalidToken: true },
    // The subgraphs verify the raw Authorization header again (propagateHeaders forwards it); they
    // need no copy of the claims in the request's extensions.
    forward: { payload: false, token: false },
  }) as GatewayPlugin & { onPluginInit: NonNullable<GatewayPlugin['onPluginInit']> };
  // useJWT adds Yoga's JWT plugin when initialised: add it with its hooks guarded by `refused`.
  return {
    ...verifier,
    onPluginInit(payload) {
      return verifier.onPluginInit({
        ...payload,
        addPlugin: (plugin: Record<string, unknown>) => payload.addPlugin(guarded(plugin) as never),
      } as typeof payload);
    },
  };
}

type Hook = (payload: Record<string, unknown>) => unknown;

/** The plugin with its request-parsing and context-building hooks' failures passed to `refused`. */
function guarded(plugin: Record<string, unknown>): Record<string, unknown> {
  const wrapped = { ...plugin };
  for (const name of ['onRequestParse', 'onContextBuilding']) {
    const hook = plugin[name] as Hook | undefined;
    if (!hook) continue;
    wrapped[name] = (payload: Record<string, unknown>) => {
      const socket = (payload['context'] as { socket?: unknown } | undefined)?.socket;
      try {
        const result = hook(payload) as PromiseLike<unknown> | undefined;
        return typeof result?.then === 'function'
          ? Promise.resolve(result).catch((error: unknown) => refused(error, socket))
          : result;
      } catch (error) {
        return refused(error, socket);
      }
    };
  }
  return wrapped;
}

/** Rethrow a refusal as the error the client should see; on a WebSocket, close it afterwards. */
function refused(error: unknown, socket: unknown): never {
  let shown = error;
  if (error instanceof GraphQLError && (error.extensions as { code?: unknown }).code === undefined) {
    shown = signatureError(); // useJWT's bare "Unauthenticated": only the signature was left to fail
  } else if (error instanceof Error && error.message === 'Authentication is not available at the moment.') {
    shown = noKeyError(); // useJWT found no signing key for the token's kid
  }
  if (socket && typeof (socket as { close?: unknown }).close === 'function' && shown instanceof GraphQLError) {
    // After the operation's error is sent (graphql-ws sends it within this turn of the event loop).
    const reason = truncate(`Forbidden: ${shown.message}`, 123); // a close reason's limit, in bytes
    setTimeout(() => (socket as { close(code: number, reason: string): void }).close(4403, reason), 0);
  }
  throw shown;
}

function truncate(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let out = text;
  while (Buffer.byteLength(`${out}…`, 'utf8') > bytes) out = out.slice(0, -1);
  return `${out}…`;
}

/** The bearer token of an HTTP request, or of a WebSocket's connection_init payload. */
function lookupToken(
  request: Request | undefined,
  serverContext: Record<string, unknown> | undefined,
  settings: Settings,
): { prefix: string; token: string } {
  // Lower-case key only: it is also what the gateway forwards to the subgraphs' sockets.
  const params = serverContext?.['connectionParams'];
  const fromSocket =
    params && typeof params === 'object' ? (params as Record<string, unknown>)['authorization'] : undefined;
  const header = request?.headers.get('authorization') ?? (typeof fromSocket === 'string' ? fromSocket : null);
  if (!header) throw unauthenticated(`this API needs a token: ${HOW}`);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated(`the authorization must be "Bearer <token>": ${HOW}`);
  const token = match[1]!;
  explainRefusal(token, settings);
  return { prefix: 'Bearer', token };
}

/** Throw an UNAUTHENTICATED error saying what is wrong with the token's header or claims. */
function explainRefusal(token: string, { jwt }: Settings): void {
  const parts = token.split('.');
  const header = parts.length === 3 ? decodePart(parts[0]!) : undefined;
  const claims = parts.length === 3 ? decodePart(parts[1]!) : undefined;
  if (!header || !claims) {
    throw unauthenticated('the token is not a JWT (three base64url parts: header, claims, signature)');
  }
  const alg = header['alg'];
  if (!(jwt.algorithms as readonly unknown[]).includes(alg)) {
    throw unauthenticated(
      `the token is signed with alg ${JSON.stringify(alg)}; this gateway accepts ${jwt.algorithms.join(' or ')} only`,
    );
  }
  const now = Date.now() / 1000;
  const exp = claims['exp'];
  if (typeof exp !== 'number') throw unauthenticated('the token has no exp claim: tokens must expire');
  if (exp <= now) {
    throw unauthenticated(`the token expired at ${new Date(exp * 1000).toISOString()}; sign in again`);
  }
  const nbf = claims['nbf'];
  if (typeof nbf === 'number' && nbf > now) {
    throw unauthenticated(`the token is not valid before ${new Date(nbf * 1000).toISOString()}`);
  }
  if (claims['iss'] !== jwt.issuer) {
    throw unauthenticated(
      `the token's issuer is ${JSON.stringify(claims['iss'])}; ` +
        `this gateway accepts tokens issued by ${JSON.stringify(jwt.issuer)}`,
    );
  }
  const aud = claims['aud'];
  if (!(aud === jwt.audience || (Array.isArray(aud) && aud.includes(jwt.audience)))) {
    throw unauthenticated(
      `the token's audience is ${JSON.stringify(aud)}; this gateway accepts tokens for ${JSON.stringify(jwt.audience)}`,
    );
  }
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '') {
    throw unauthenticated('the token has no sub claim (the user it stands for)');
  }
  if (!(ROLES as readonly unknown[]).includes(claims['role'])) {
    throw unauthenticated(`the token's role ${JSON.stringify(claims['role'])} is not one of ${ROLES.join(', ')}`);
  }
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The verified claims of a request's context, once useJWT has run. */
export function claimsOf(context: Record<string, unknown>): Claims | undefined {
  const jwt = context['jwt'] as { payload?: Claims } | undefined;
  return jwt?.payload;
}
