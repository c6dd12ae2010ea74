// Limits on what one request may ask, all checked before anything executes (no subgraph is
// called for a refused request): tokens while parsing, depth and aliases while validating, page
// sizes and estimated cost just before execution (when the variables are known), the per-user rate
// once the token is verified, and batching (and a body of a type no parser reads) when the body
// is read.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { claimsOf } from './auth.ts';
import { CODES, requestError } from './errors.ts';
import type { Limits } from './settings.ts';

// --- the cost model ---------------------------------------------------------------------------
// A rough count of the objects an operation can make the subgraphs produce: each field returning
// an object costs 1, times the number of items of every list around it. A field with a `first`
// argument (our connections, similarTickets) yields `first` items; a connection's own nodes/edges
// lists add nothing more; any other list is assumed to hold ASSUMED_LIST_SIZE items. A mutation's
// root field costs MUTATION_COST more: a write is dearer than a read. Introspection is free.
export const ASSUMED_LIST_SIZE = 10;
export const MUTATION_COST = 10;

type Fragments = Map<string, FragmentDefinitionNode>;

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments: Fragments = new Map();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Introspection fields: free, and left out of depth (production turns introspection off). */
function isIntrospection(name: string): boolean {
  return name === '__schema' || name === '__type';
}

/**
 * Deepest field nesting of a selection set; fragments are flattened (a spread adds no level).
 * Memoised per fragment; a fragment cycle counts as 0 here (NoFragmentCyclesRule reports it).
 */
function depthOf(set: SelectionSetNode, fragments: Fragments, memo: Map<string, number>): number {
  let deepest = 0;
  for (const selection of set.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (isIntrospection(selection.name.value)) continue;
      depth = 1 + (selection.selectionSet ? depthOf(selection.selectionSet, fragments, memo) : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, fragments, memo);
    } else {
      depth = viaFragment(selection.name.value, fragments, memo, (f) => depthOf(f.selectionSet, fragments, memo));
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/** Aliased fields of a selection set, each fragment spread counted where it is spread. */
function aliasesOf(set: SelectionSetNode, fragments: Fragments, memo: Map<string, number>): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      count += selection.alias ? 1 : 0;
      if (selection.selectionSet) count += aliasesOf(selection.selectionSet, fragments, memo);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += aliasesOf(selection.selectionSet, fragments, memo);
    } else {
      count += viaFragment(selection.name.value, fragments, memo, (f) => aliasesOf(f.selectionSet, fragments, memo));
    }
  }
  return count;
}

function viaFragment(
  name: string,
  fragments: Fragments,
  memo: Map<string, number>,
  measure: (fragment: FragmentDefinitionNode) => number,
): number {
  const known = memo.get(name);
  if (known !== undefined) return known;
  const fragment = fragments.get(name);
  if (!fragment) return 0; // KnownFragmentNamesRule reports it
  memo.set(name, 0); // a cycle ends here
  const value = measure(fragment);
  memo.set(name, value);
  return value;
}

/** Validation rules for depth and aliases (reported like any validation error, coded). */
export function depthRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const fragments = fragmentsOf(context.getDocument());
      const depth = depthOf(operation.selectionSet, fragments, new Map());
      if (depth > maxDepth) {
        context.reportError(
          requestError(
            CODES.QUERY_TOO_DEEP,
            `the operation nests fields ${depth} levels deep; the most this API accepts is ${maxDepth} ` +
              '(ask for the deeper part in a second query, starting from the ids of the first)',
          ),
        );
      }
    },
  });
}

export function aliasRule(maxAliases: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const fragments = fragmentsOf(context.getDocument());
      const aliases = aliasesOf(operation.selectionSet, fragments, new Map());
      if (aliases > maxAliases) {
        context.reportError(
          requestError(
            CODES.TOO_MANY_ALIASES,
            `the operation has ${aliases} aliased fields; the most this API accepts is ${maxAliases} ` +
              '(split it into several requests)',
          ),
        );
      }
    },
  });
}

/**
 * Check every `first` argument of the operation about to run and estimate its cost; throws the
 * coded error for a page out of range or a cost above `maxCost`. Returns the estimate.
 */
export function checkBudget(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: Pick<Limits, 'maxPageSize' | 'maxCost'>,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0; // execution reports the missing operation or root type
  const fragments = fragmentsOf(document);
  const memo = new Map<string, number>();
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }

  /** An integer argument's value: a literal, a variable's value or default; else undefined. */
  const intValue = (node: ValueNode | undefined): number | undefined => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      const given = variables && Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
      if (given !== undefined) return typeof given === 'number' && Number.isInteger(given) ? given : undefined;
      return intValue(defaults.get(name));
    }
    return undefined;
  };

  const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, rootFields: boolean): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) cost += costOf(selection.selectionSet, type, rootFields);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        cost += viaFragment(selection.name.value, fragments, memo, (fragment) => {
          const type = schema.getType(fragment.typeCondition.name.value);
          return type && isCompositeType(type) ? costOf(fragment.selectionSet, type, rootFields) : 0;
        });
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue; // introspection and __typename are free
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field) continue; // validation reports unknown fields
      let items = 1;
      const firstArg = field.args.find((arg) => arg.name === 'first');
      if (firstArg) {
        const given = selection.arguments?.find((arg) => arg.name.value === 'first');
        const fallback = typeof firstArg.defaultValue === 'number' ? firstArg.defaultValue : undefined;
        // An argument left out, or a variable not sent, takes the schema's default.
        const first = (given ? intValue(given.value) : undefined) ?? fallback;
        const where = `${parent.name}.${name}`;
        if (first !== undefined && first > limits.maxPageSize) {
          throw requestError(
            CODES.PAGE_TOO_LARGE,
            `first: ${first} on ${where} is above the largest page this API serves, ${limits.maxPageSize}; ` +
              'ask for at most that many and follow pageInfo.endCursor with after: for more',
          );
        }
        if (first !== undefined && first < 1) {
          throw requestError(CODES.PAGE_TOO_SMALL, `first: ${first} on ${where} must be at least 1`);
        }
        items = first ?? limits.maxPageSize; // no integer: coercion refuses it after this
      } else if (isListType(getNullableType(field.type))) {
        items = parent.name.endsWith('Connection') ? 1 : ASSUMED_LIST_SIZE;
      }
      const type = getNamedType(field.type);
      const write = rootFields && operation.operation === 'mutation' ? MUTATION_COST : 0;
      const own = (isCompositeType(type) ? 1 : 0) + write;
      const below = selection.selectionSet && isCompositeType(type) ? costOf(selection.selectionSet, type, false) : 0;
      cost += items * (own + below);
    }
    return cost;
  };

  const cost = costOf(operation.selectionSet, root, true);
  if (cost > limits.maxCost) {
    throw requestError(
      CODES.QUERY_TOO_COSTLY,
      `the operation's estimated cost is ${Math.round(cost)}; the most this API accepts is ${limits.maxCost} ` +
        '(ask for smaller pages (first:) or fewer nested lists, or split it into several requests)',
    );
  }
  return cost;
}

// --- per-user rate ----------------------------------------------------------------------------
/**
 * A token bucket per key: up to `perMinute` requests at once, refilled at perMinute/60 a second.
 * In memory, so per gateway process: with N replicas a user gets up to N times the rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** 0 when the request may go ahead, else the whole seconds until it may. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.buckets.size > 10_000) this.forgetIdle(now);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  /** Drop buckets that have refilled: they hold nothing a fresh bucket would not. */
  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

// --- the plugin -------------------------------------------------------------------------------
// graphql-js's words (sic: "more that" in 16.x); matched loosely so a fixed typo still matches.
const TOKEN_LIMIT = /Document contains more tha[nt] \d+ tokens/;

/** Every limit of `limits`; must come after the auth plugin (the rate is keyed on its claims). */
export function limitsPlugin(limits: Limits): GatewayPlugin {
  const rate = new RateLimiter(limits.rateLimit);
  const budget = ({ args }: { args: ExecutionArgs }) => {
    checkBudget(args.schema, args.document, args.operationName, args.variableValues, limits);
  };
  return {
    onRequestParse({ request, requestParser }) {
      // No parser for this content type: Yoga would answer 415 with an empty body, which a client
      // cannot read a code from (tests/faults/test_fuzz.py sent text/plain).
      if (!requestParser) {
        const sent = request.headers.get('content-type');
        throw requestError(
          CODES.BAD_REQUEST,
          'send the request with "Content-Type: application/json"' +
            (sent ? `, not ${JSON.stringify(sent)}` : ' (it had no Content-Type)'),
          { spec: false },
        );
      }
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult)) {
            throw requestError(
              CODES.BATCHING_DISABLED,
              'this API takes one operation per request, not a JSON array of them: send each on its own ' +
                '(HTTP/2 keeps that cheap)',
              { spec: false }, // not a GraphQL request at all: 400 whatever the client accepts
            );
          }
        },
      };
    },
    onContextBuilding({ context }) {
      const claims = claimsOf(context as Record<string, unknown>);
      if (!claims) return; // auth refused the request already
      const wait = rate.take(claims.sub);
      if (wait > 0) {
        throw requestError(
          CODES.RATE_LIMITED,
          `too many requests for ${claims.sub}: at most ${limits.rateLimit} a minute; retry in ${wait} s`,
          { status: 429, spec: false, headers: { 'Retry-After': String(wait) } },
        );
      }
    },
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && TOKEN_LIMIT.test(error.message)) {
            throw requestError(
              CODES.TOO_MANY_TOKENS,
              `the document has more than ${limits.maxTokens} tokens, the most this API accepts ` +
                '(split it into several requests)',
            );
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthRule(limits.maxDepth));
      addValidationRule(aliasRule(limits.maxAliases));
    },
    onExecute: budget,
    onSubscribe: budget,
  } as GatewayPlugin;
}
