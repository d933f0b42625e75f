/**
 * The built program (dist/src/main.js --serve) in a child process: SIGINT or SIGTERM stops it
 * gracefully (idle clients read EOF, exit 0); a second signal exits at once (130) when a
 * connection is stuck writing to a client that does not read.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
}

async function serve(): Promise<Served> {
  const child = spawn(process.execPath, [MAIN, "--serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m === null) return;
      child.stdout!.off("data", onData);
      resolve(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the echo server exited with ${code} before listening:\n${out}`)));
  });
  return { child, port, output: () => out };
}

function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Send `line`, resolve with what comes back once as many bytes have arrived. */
function roundTrip(socket: Socket, line: string): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const onData = (d: Buffer): void => {
      got += d.toString("utf8");
      if (got.length < line.length) return;
      socket.off("data", onData);
      resolve(got);
    };
    socket.on("data", onData);
    socket.write(line);
  });
}

for (const name of ["SIGINT", "SIGTERM"] as const) {
  test(`${name}: an idle client reads EOF, the server says it stopped and exits 0`, async () => {
    const server = await serve();
    const client = await open(server.port);
    try {
      assert.is(await roundTrip(client, "hello\n"), "hello\n");
      const eof = new Promise<void>((resolve) => client.once("end", resolve));
      server.child.kill(name);
      await eof;
      assert.is(await exited(server.child), 0, server.output());
      assert.match(server.output(), /echo server shutting down\n[^]*echo server stopped/);
    } finally {
      client.destroy();
      server.child.kill("SIGKILL");
    }
  });
}

test("a second SIGINT exits at once (130) while a connection is stuck writing to a client that does not read", async () => {
  const server = await serve();
  const client = await open(server.port);
  client.on("error", () => {}); // the server's exit resets the connection
  try {
    // 64 MiB and no reads: far more than the kernel's buffers, so the server's echo waits in
    // writeAll, and shutdown waits for it.
    client.pause();
    client.write(Buffer.alloc(64 << 20, 120));
    // Stuck: the server has stopped taking bytes (what the client has not handed to the kernel
    // stays the same over 20 checks in a row).
    let last = -1;
    let same = 0;
    await until(() => {
      const left = client.writableLength;
      same = left === last ? same + 1 : 0;
      last = left;
      return left > 0 && same >= 20;
    });
    server.child.kill("SIGINT");
    await until(() => server.output().includes("echo server shutting down"));
    server.child.kill("SIGINT");
    assert.is(await exited(server.child), 130, server.output());
    assert.match(server.output(), /echo server: forced exit/);
    assert.not.match(server.output(), /echo server stopped/);
  } finally {
    client.destroy();
    server.child.kill("SIGKILL");
  }
});

/** Resolve once `condition()` holds (checked every 10 ms; a guard, not a timing assertion). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error("condition not reached in 10 s");
}

test.run();
