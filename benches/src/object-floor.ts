/**
 * The floor under spawn+join at 1,000,000 tasks (results/node24.md): the time to allocate
 * 1,000,000 objects of a task's size (6 fields) and keep them all in an array, with no other
 * work, made in four ways. Run it under each Node: `node dist/src/object-floor.js`.
 *
 * - class: `new C(…)`, as a task is made;
 * - literal: a plain object literal (V8 may pretenure it: its allocation site is tracked);
 * - literal + `__proto__`: a literal with a prototype, the pretenured form a task could take;
 * - `Object.create`: a prototype without a literal (no allocation site).
 *
 * Prints the median of 15 rounds, in ns per object. Not run by `pnpm bench`.
 */
const N = 1_000_000;

class Fields {
  constructor(
    public a: number,
    public b: unknown,
    public c: unknown = undefined,
    public d = 0,
    public e: unknown = undefined,
    public f = 0,
  ) {}
  m(): number {
    return this.a;
  }
}
const proto = Fields.prototype;

const makers: Record<string, (a: number, b: unknown) => object> = {
  class: (a, b) => new Fields(a, b),
  literal: (a, b) => ({ a, b, c: undefined, d: 0, e: undefined, f: 0 }),
  "literal + __proto__": (a, b) => ({ __proto__: proto, a, b, c: undefined, d: 0, e: undefined, f: 0 }),
  "Object.create": (a, b) => Object.assign(Object.create(proto) as object, { a, b, c: undefined, d: 0, e: undefined, f: 0 }),
};

function round(make: (a: number, b: unknown) => object): number {
  const kept = new Array<object>(N);
  const start = performance.now();
  for (let i = 0; i < N; i++) kept[i] = make(i, kept);
  return ((performance.now() - start) * 1e6) / N;
}

for (const [name, make] of Object.entries(makers)) {
  const times: number[] = [];
  for (let r = 0; r < 15; r++) times.push(round(make));
  times.sort((x, y) => x - y);
  console.log(`${process.version} ${name}: ${times[7]!.toFixed(1)} ns per object kept`);
}
