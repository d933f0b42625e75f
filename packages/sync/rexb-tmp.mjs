import { Builder } from "@tokio-ts/runtime";
import { Mutex } from "@tokio-ts/sync";
const rt = Builder.newCurrentThread().build();
for (let r = 0; r < 3; r++) {
const t = performance.now();
await rt.blockOn(function* () {
  const m = new Mutex(0);
  for (let i = 0; i < 300000; i++) yield* m.runExclusive((g) => ++g.value);
});
const t2 = performance.now();
await rt.blockOn(async () => {
  const m = new Mutex(0);
  for (let i = 0; i < 100000; i++) await m.runExclusive(async (g) => ++g.value);
});
const t3 = performance.now();
console.log("sync fn ns/op", ((t2 - t) * 1e6 / 300000).toFixed(0), "async fn ns/op", ((t3 - t2) * 1e6 / 100000).toFixed(0));
}
