/** What a bad argument is, for an error message: `null` or its `typeof`. */
export function describe(value: unknown): string {
  return value === null ? "null" : typeof value;
}
