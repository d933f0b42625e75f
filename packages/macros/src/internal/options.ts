/**
 * What is wrong with an options argument, for the error, or undefined when it is an object
 * that can hold options. An array or a promise is an object too, but its options would be read
 * as none: a TypeError says so at the call instead.
 */
export function badOptions(options: unknown): string | undefined {
  if (options === null) return "null";
  if (typeof options !== "object") return typeof options;
  if (Array.isArray(options)) return "an array";
  if (typeof (options as { then?: unknown }).then === "function") return "a promise (await it first)";
  return undefined;
}
