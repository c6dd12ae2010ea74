#!/usr/bin/env node
// The persisted-documents manifest the gateway serves (src/persisted.ts), generated from the
// mini-program's operations.
//
//   node persisted.mjs            write gateway/persisted-documents.json
//   node persisted.mjs --check    fail if it is out of date or a document does not validate
//   options: --root DIR        (repo root holding clients/miniprogram/*.graphql; default gateway/..)
//            --out FILE        (manifest to write or check; default gateway/persisted-documents.json)
//            --supergraph FILE (schema the documents must validate against; default
//                               gateway/supergraph.graphql)
//
// The manifest is a JSON object {"<id>": "<document text>"}, keys sorted, where id is the
// lowercase hex SHA-256 of the .graphql file's exact bytes (UTF-8). That rule is a contract:
// clients and the journey tests compute the same id from the same file. Each file holds one
// operation named after the file (MyTickets.graphql: query MyTickets …), which must validate
// against the supergraph's API schema (what clients see: no join__/link__ machinery).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildASTSchema, GraphQLError, Kind, parse, Source, validate } from 'graphql';
import { transformSupergraphToPublicSchema } from '@theguild/federation-composition';

const GATEWAY_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(GATEWAY_DIR, '..');
const USAGE = 'usage: node persisted.mjs [--check] [--root DIR] [--out FILE] [--supergraph FILE]';

function fail(lines) {
  for (const line of [].concat(lines)) console.error(line);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = {
    check: false,
    root: REPO_ROOT,
    out: resolve(GATEWAY_DIR, 'persisted-documents.json'),
    supergraph: resolve(GATEWAY_DIR, 'supergraph.graphql'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`persisted.mjs: ${arg} needs a value`);
      return resolve(v);
    };
    if (arg === '--check') opts.check = true;
    else if (arg === '--root') opts.root = value();
    else if (arg === '--out') opts.out = value();
    else if (arg === '--supergraph') opts.supergraph = value();
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else fail([`persisted.mjs: unknown argument ${arg}`, USAGE]);
  }
  return opts;
}

function shown(path) {
  const rel = relative(REPO_ROOT, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The schema clients see, from the composed supergraph. */
function apiSchema(supergraphFile) {
  if (!existsSync(supergraphFile)) {
    fail(`persisted.mjs: no supergraph at ${shown(supergraphFile)}: run \`make compose\``);
  }
  const supergraph = parse(readFileSync(supergraphFile, 'utf8'));
  return buildASTSchema(transformSupergraphToPublicSchema(supergraph), { assumeValidSDL: true });
}

/** Where an error points, as file:line:col. */
function located(file, error) {
  const where = error.locations?.[0];
  return `${shown(file)}${where ? `:${where.line}:${where.column}` : ''}: ${error.message}`;
}

/** Every clients/miniprogram/*.graphql as {id, file, text}; exits listing every problem. */
function loadDocuments(root, schema) {
  const folder = join(root, 'clients', 'miniprogram');
  if (!existsSync(folder)) fail(`persisted.mjs: no folder ${shown(folder)} (the mini-program's operations)`);
  const files = readdirSync(folder)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => join(folder, name));
  const problems = [];
  const documents = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) {
      problems.push(`${shown(file)}: not valid UTF-8 (the id is the SHA-256 of the file's UTF-8 bytes)`);
      continue;
    }
    let document;
    try {
      document = parse(new Source(text, shown(file)));
    } catch (error) {
      problems.push(error instanceof GraphQLError ? located(file, error) : `${shown(file)}: ${error}`);
      continue;
    }
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const expected = basename(file, '.graphql');
    if (operations.length !== 1) {
      problems.push(`${shown(file)}: holds ${operations.length} operations; put exactly one in each file`);
      continue;
    }
    if (operations[0].name?.value !== expected) {
      problems.push(
        `${shown(file)}: the operation is named ${operations[0].name?.value ?? '(nothing)'}; ` +
          `name it ${expected}, after the file`,
      );
      continue;
    }
    const errors = validate(schema, document);
    if (errors.length) {
      problems.push(...errors.map((error) => located(file, error)));
      continue;
    }
    documents.push({ id: createHash('sha256').update(bytes).digest('hex'), file, text });
  }
  if (problems.length) fail(['persisted.mjs: documents that cannot be persisted:', ...problems.map((p) => `  ${p}`)]);
  return documents;
}

function manifestText(documents) {
  const sorted = [...documents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Map();
  for (const { id, file } of sorted) {
    if (seen.has(id)) fail(`persisted.mjs: ${shown(file)} and ${shown(seen.get(id))} are the same document`);
    seen.set(id, file);
  }
  return `${JSON.stringify(Object.fromEntries(sorted.map(({ id, text }) => [id, text])), null, 2)}\n`;
}

const opts = parseArgs(process.argv.slice(2));
const documents = loadDocuments(opts.root, apiSchema(opts.supergraph));
const text = manifestText(documents);
const current = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : undefined;
if (opts.check) {
  if (current !== text) {
    fail(
      `persisted.mjs: ${shown(opts.out)} is ${current === undefined ? 'missing' : 'stale'}: ` +
        'run `make persisted` and commit it with the clients/miniprogram change',
    );
  }
  console.log(`${shown(opts.out)} is up to date (${documents.length} documents)`);
} else {
  // Written in place and only on change: a running gateway rereads it when asked for an unknown id.
  if (current !== text) writeFileSync(opts.out, text);
  console.log(`${current === text ? 'unchanged' : 'wrote'} ${shown(opts.out)} (${documents.length} documents)`);
  for (const { id, file } of documents) console.log(`  ${id}  ${shown(file)}`);
}
