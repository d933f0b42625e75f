/**
 * Type assertions for the type tests: `expectType<Equals<A, B>>()` compiles only when A and B
 * are the same type (not merely assignable either way). The files of this folder are checked by
 * `tsc -b` and never run.
 */

/** `true` when A and B are identical types, else `false`. */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only for `true`: `expectType<Equals<typeof r, Expected>>()`. */
export function expectType<T extends true>(): T | undefined {
  return undefined;
}
