// What the gateway's result passes share (src/masking.ts codes and statuses, src/overload.ts
// the 503): the shape of an execution result, the walk over a batch, and extensions without
// some keys.

export type Extensions = Record<string, unknown> & { http?: Record<string, unknown>; code?: unknown };
export type ResultError = { message?: unknown; extensions?: Extensions; path?: unknown };
export type Result = { data?: unknown; errors?: ReadonlyArray<ResultError>; extensions?: Extensions };

/** `visit` each result that has errors: `result` itself, or each of a batch's (an array). */
export function forEachFailedResult(result: unknown, visit: (failed: Result) => void): void {
  if (Array.isArray(result)) {
    for (const one of result) forEachFailedResult(one, visit);
  } else if (result && typeof result === 'object' && 'errors' in result) {
    visit(result as Result);
  }
}

/** `extensions` without `keys`: the same object when it has none of them, else a copy. */
export function omitted<T extends Record<string, unknown>>(extensions: T, keys: readonly string[]): T {
  if (!keys.some((key) => key in extensions)) return extensions;
  return Object.fromEntries(Object.entries(extensions).filter(([key]) => !keys.includes(key))) as T;
}

/** Drop `keys` from the extensions of each error (in place: Hive hands the result on). */
export function dropExtensions(errors: ReadonlyArray<ResultError>, keys: readonly string[]): void {
  for (const error of errors) {
    if (error.extensions) error.extensions = omitted(error.extensions, keys);
  }
}
