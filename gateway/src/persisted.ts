// Persisted documents: the mini-program's operations (clients/miniprogram/*.graphql), shipped as
// gateway/persisted-documents.json by persisted.mjs. A client sends {"documentId": "<id>",
// "variables": {...}} (or ?documentId=<id> on GET) instead of the document's text; the id is the
// lowercase hex SHA-256 of the .graphql file's exact UTF-8 bytes.
//
// Any role may use them. In production a resident's token may send nothing else: the mini-program
// is the one client in residents' hands, and a fixed list of operations is all it needs.
import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { claimsOf } from './auth.ts';
import { CODES, requestError } from './errors.ts';
import { SettingsError, type Settings } from './settings.ts';

/** The manifest file, read at start-up and again when an unknown id is asked for after it changed. */
export class Manifest {
  private documents = new Map<string, string>();
  private modified = 0;

  constructor(readonly path: string) {
    this.load();
  }

  get size(): number {
    return this.documents.size;
  }

  get(id: string): string | undefined {
    const found = this.documents.get(id);
    if (found !== undefined || !this.changed()) return found;
    try {
      this.load(); // `make persisted` rewrote it: a dev gateway needs no restart
    } catch (error) {
      console.error(`keeping the previous persisted documents: ${(error as Error).message}`);
    }
    return this.documents.get(id);
  }

  private changed(): boolean {
    try {
      return statSync(this.path).mtimeMs !== this.modified;
    } catch {
      return false;
    }
  }

  private load(): void {
    const modified = statSync(this.path).mtimeMs;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new SettingsError(`${this.path} is not JSON: ${(error as Error).message} (run \`make persisted\`)`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SettingsError(`${this.path} must be a JSON object {"<id>": "<document>"} (run \`make persisted\`)`);
    }
    const documents = new Map<string, string>();
    for (const [id, text] of Object.entries(parsed)) {
      // The id is a promise to clients (they compute it from the file): a mismatch is a stale manifest.
      if (typeof text !== 'string' || documentId(text) !== id) {
        throw new SettingsError(
          `${this.path}: the document under ${id} is not the one whose SHA-256 is that id (run \`make persisted\`)`,
        );
      }
      documents.set(id, text);
    }
    this.documents = documents;
    this.modified = modified;
  }
}

/** A persisted document's id: lowercase hex SHA-256 of its exact UTF-8 text. */
export function documentId(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hive's `persistedDocuments` option, plus the plugin enforcing the residents' rule. */
export function persistedDocuments(settings: Settings): {
  option: NonNullable<GatewayConfig['persistedDocuments']>;
  plugin: GatewayPlugin;
} {
  const manifest = new Manifest(settings.persistedDocuments);
  // Requests whose document came from the manifest (the request object is the same one the
  // context holds later, for HTTP and for each operation on a WebSocket).
  const persisted = new WeakSet<Request>();
  const option = {
    getPersistedOperation(id: string, request: Request) {
      const text = manifest.get(id);
      if (text === undefined) return null;
      persisted.add(request);
      return text;
    },
    // Arbitrary documents are for the residents' rule below to refuse: Hive's own switch sees only
    // the request, and a WebSocket operation's token is not in its headers.
    allowArbitraryDocuments: true,
    customErrors: {
      notFound: ({ params, request }: { params: Params; request: Request }) =>
        requestError(
          CODES.PERSISTED_QUERY_NOT_FOUND,
          `no persisted document has the id ${JSON.stringify(idOf(params, request))}: the id is the SHA-256 of a ` +
            'clients/miniprogram/*.graphql file as deployed; update the client, or run `make persisted` ' +
            'if you changed the files',
        ),
      keyNotFound: requestError(
        CODES.PERSISTED_QUERY_ID_REQUIRED,
        'send either a document ("query") or the id of a persisted document ("documentId")',
      ),
    },
  } as unknown as NonNullable<GatewayConfig['persistedDocuments']>;
  const production = settings.environment === 'production';
  const plugin: GatewayPlugin = {
    onContextBuilding({ context }) {
      const ctx = context as Record<string, unknown> & { request?: Request };
      if (!production || claimsOf(ctx)?.role !== 'resident') return;
      if (ctx.request && persisted.has(ctx.request)) return;
      throw requestError(
        CODES.PERSISTED_QUERY_ONLY,
        'a resident may send only the persisted documents of the mini-program: send {"documentId": ' +
          '"<sha256 of the .graphql file>", "variables": {...}} instead of the document text',
        { status: 403, spec: false },
      );
    },
  };
  console.info(`persisted documents: ${manifest.size} from ${manifest.path}`);
  return { option, plugin };
}

type Params = { documentId?: unknown; extensions?: Record<string, unknown> };

/** The id a client sent: documentId in the body or the URL, or Apollo's persistedQuery hash. */
function idOf(params: Params, request: Request): unknown {
  if (params.documentId !== undefined) return params.documentId;
  const apq = params.extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined;
  return apq?.sha256Hash ?? new URL(request.url).searchParams.get('documentId');
}
