/** Shared tools of the echo-server tests: a runtime with io and time, a server on 127.0.0.1:0. */
import { Builder, spawn, type JoinHandle } from "@tokio-ts/runtime";
import { TcpListener } from "@tokio-ts/net";
import { CancellationToken } from "@tokio-ts/sync";
import { SeededRng } from "@tokio-ts/test-util";
import { serve, type ServeOptions } from "../src/server.js";

/** How many host handles of `kinds` are alive (sockets, servers, timers). */
export function activeHandles(kinds = ["TCPSocketWrap", "TCPServerWrap", "Timeout"]): number {
  return process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;
}

/**
 * Run `body` on a fresh runtime (io + time, real clock: the sockets are real) and shut it
 * down; then check that no socket, listener or timer outlives it.
 */
export async function run<T>(body: () => Generator<unknown, T, any>): Promise<T> {
  const before = activeHandles();
  const rt = Builder.newCurrentThread().enableAll().build();
  try {
    return await rt.blockOn(body);
  } finally {
    await rt.shutdownTimeout(1000);
    // Node releases a closed handle on a later turn of its loop.
    for (let i = 0; i < 50 && activeHandles() > before; i++) await new Promise((r) => setImmediate(r));
    const left = activeHandles() - before;
    if (left > 0) throw new Error(`the test left ${left} socket/listener/timer handle(s): ${process.getActiveResourcesInfo().join(", ")}`);
  }
}

export interface EchoServer {
  readonly listener: TcpListener;
  readonly port: number;
  readonly errors: unknown[];
  /** Cancel the server, wait for its connections, close the listener. */
  stop(): Generator<unknown, void, any>;
}

/** Start the echo server on 127.0.0.1, an ephemeral port, in a task of the current runtime. */
export function* startEcho(options: Omit<ServeOptions, "shutdown" | "onError"> = {}): Generator<unknown, EchoServer, any> {
  const listener = yield* TcpListener.bind("127.0.0.1:0");
  const shutdown = new CancellationToken();
  const errors: unknown[] = [];
  const task: JoinHandle<void> = spawn(() => serve(listener, { ...options, shutdown, onError: (e) => errors.push(e) }));
  return {
    listener,
    port: listener.localAddr().port,
    errors,
    *stop() {
      shutdown.cancel();
      try {
        yield* task;
      } finally {
        listener.close();
      }
    },
  };
}

/** Seeded floats in [0, 1) (test-util's SeededRng), so that a failing run replays. */
export function prng(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.next();
}
