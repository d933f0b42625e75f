/**
 * The misuse messages of `@tokio-ts/macros`, together in one place (STYLE.md, "Errors"). They
 * are plain `Error`s: they report a bug in the calling code, not a condition to handle.
 */

/** `select` was polled with every branch disabled and no `else` option (Tokio panics here). */
export function allBranchesDisabled(): Error {
  return new Error(
    "select: all branches are disabled and there is no else branch: give select an `else` option (`{ else: () => value }`) for this case",
  );
}

/** A `select` or `join` future was polled again after it completed or was dropped. */
export function polledAfterDone(what: "select" | "join" | "tryJoin"): Error {
  return new Error(`a ${what} future was polled after it completed or was dropped`);
}
