import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { JoinError } from "@tokio-ts/runtime";
import { spawnBlocking } from "../src/index.js";
import { withRuntime } from "./helpers.js";

const jobs = new URL("./fixtures/jobs.js", import.meta.url);

test("a module job runs the named export, with the module's own imports", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => [
      await spawnBlocking<string>({ module: jobs, export: "sha256" }, "abc"),
      await spawnBlocking<string>({ module: jobs.href, export: "loud" }, "hey"),
      await spawnBlocking<string>({ module: fileURLToPath(jobs), export: "loud" }, "path"),
    ]);
    assert.equal(out, [createHash("sha256").update("abc").digest("hex"), "HEY!", "PATH!"]);
  });
});

test("the module is loaded once per worker", async () => {
  await withRuntime(
    async (rt) => {
      const out = await rt.blockOn(function* () {
        for (let i = 0; i < 20; i++) yield* spawnBlocking({ module: jobs, export: "loud" }, "x");
        return yield* spawnBlocking<number>({ module: jobs, export: "loads" });
      });
      assert.is(out, 1);
    },
    (b) => b.maxBlockingThreads(1),
  );
});

test("a module job can transfer its result with the package's transfer()", async () => {
  await withRuntime(async (rt) => {
    const out = await rt.blockOn(async () => spawnBlocking<Uint8Array>({ module: jobs, export: "filled" }, 1000, 7));
    assert.instance(out, Uint8Array);
    assert.is(out.length, 1000);
    assert.is(out[999], 7);
  });
});

test("a missing or non-function export rejects the handle with a panicked JoinError whose cause is a TypeError naming it", async () => {
  await withRuntime(async (rt) => {
    const messages = await rt.blockOn(async () => {
      const out: string[] = [];
      for (const name of ["nope", "notAFunction"]) {
        try {
          await spawnBlocking({ module: jobs, export: name });
        } catch (e) {
          assert.instance(e, JoinError);
          assert.ok((e as JoinError).isPanic());
          assert.is((e as JoinError).code, "ERR_TASK_PANICKED");
          assert.instance((e as JoinError).cause, TypeError);
          out.push(((e as JoinError).cause as Error).message);
        }
      }
      return out;
    });
    assert.match(messages[0]!, /module file:.*fixtures\/jobs\.js has no export named "nope"/);
    assert.match(messages[1]!, /export "notAFunction" of module .* is not a function \(it is number\)/);
  });
});

test("a module that does not parse fails the job with a SyntaxError naming the module", async () => {
  const broken = "data:text/javascript,export function f( {";
  await withRuntime(async (rt) => {
    const cause = await rt.blockOn(async () => {
      try {
        await spawnBlocking({ module: broken, export: "f" });
      } catch (e) {
        return (e as JoinError).cause;
      }
      return undefined;
    });
    assert.instance(cause, SyntaxError);
    assert.ok((cause as Error).message.startsWith(`spawnBlocking: module ${broken} failed to load: `), (cause as Error).message);
  });
});

test("bad module specs are rejected at the call", async () => {
  await withRuntime(async (rt) => {
    const messages = await rt.blockOn(async () =>
      [
        () => spawnBlocking({ module: "./fixtures/jobs.js", export: "loud" }),
        () => spawnBlocking({ module: "some-package", export: "loud" }),
        () => spawnBlocking({ module: new URL("./fixtures/missing.js", import.meta.url), export: "loud" }),
        () => spawnBlocking({ module: jobs, export: "" }),
        () => spawnBlocking({ module: 7, export: "loud" } as never),
      ].map((call) => {
        try {
          call();
          return "no error";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      }),
    );
    assert.match(messages[0]!, 'TypeError: spawnBlocking: module "./fixtures/jobs.js" must be a URL');
    assert.match(messages[0]!, 'new URL("./file.js", import.meta.url)');
    assert.match(messages[1]!, 'module "some-package" must be a URL');
    assert.match(messages[2]!, /module file:.*missing\.js does not exist/);
    assert.match(messages[3]!, "export must be a non-empty string");
    assert.match(messages[4]!, "got { module: number }");
  });
});

test.run();
