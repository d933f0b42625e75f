/** What a bad argument is, for an error message: `null` or its `typeof`. */
export function describe(value: unknown): string {
  return value === null ? "null" : typeof value;
}

/**
 * What is wrong with an options argument, for the error, or undefined when it is an object
 * that can hold options. An array or a promise is an object too, but its options would be read
 * as none: a TypeError says so at the call instead.
 */
export function badOptions(options: unknown): string | undefined {
  if (typeof options !== "object" || options === null) return describe(options);
  if (Array.isArray(options)) return "an array";
  if (typeof (options as { then?: unknown }).then === "function") return "a promise (await it first)";
  return undefined;
}
