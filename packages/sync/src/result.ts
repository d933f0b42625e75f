/**
 * The result of a `try*` method: the value, or why there is none. `try*` methods never throw
 * for the conditions they report (an empty channel, a held lock); they return one of these.
 *
 * @example
 * ```ts
 * const r = rx.tryRecv();
 * if (r.ok) use(r.value);
 * else if (r.error.kind === "disconnected") stop();
 * ```
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/**
 * A successful {@link Result}.
 *
 * @example
 * ```ts
 * const r: Result<number, Error> = ok(1); // { ok: true, value: 1 }
 * ```
 */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/**
 * A failed {@link Result}.
 *
 * @example
 * ```ts
 * const r: Result<number, Error> = err(new Error("no")); // { ok: false, error }
 * ```
 */
export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
