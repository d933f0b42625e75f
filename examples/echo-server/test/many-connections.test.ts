/**
 * 5,000 concurrent connections are accepted and served. Client and server run in one child
 * process (10,000 sockets) whose open-file limit the shell raises first, so the test does not
 * depend on the limit of the process that runs the tests.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const FIXTURE = fileURLToPath(new URL("./fixtures/many-connections.js", import.meta.url));
const N = 5000;

test(`${N} concurrent connections are all accepted and echoed`, async () => {
  // Raise the soft limit as far as the hard limit allows (2 descriptors per connection here).
  const script = `ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile("sh", ["-c", script, process.execPath, FIXTURE, String(N)], { timeout: 120_000 }, (error, stdout, stderr) =>
      error !== null ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  assert.equal(JSON.parse(out), { connections: N, echoedCorrectly: N, serverErrors: 0 });
});

test.run();
