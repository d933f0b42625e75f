import { test } from "uvu";
import * as assert from "uvu/assert";
import { ContextError } from "@tokio-ts/core";
import { spawn, yieldNow } from "@tokio-ts/runtime";
import { mockTask, assertPending } from "@tokio-ts/test-util";
import * as net from "node:net";
import { TcpListener, TcpStream, UdpSocket } from "../src/index.js";
import { noSocketsLeft, runtime } from "./helpers.js";

test("runtime shutdown closes its sockets and listener and wakes their waiters", async () => {
  const rt = runtime();
  let finallyRan = false;
  const { client, accepted, port, waiter } = await rt.blockOn(function* () {
    const listener = yield* TcpListener.bind("127.0.0.1:0");
    const port = listener.localAddr().port;
    const accepting = spawn(listener.accept());
    const client = yield* TcpStream.connect(listener.localAddr());
    const [accepted] = yield* accepting;
    spawn(function* () {
      try {
        yield* accepted.read(new Uint8Array(8)); // never completes: nothing is sent
      } finally {
        finallyRan = true;
      }
    });
    yield* yieldNow();
    const waiter = mockTask(client.readable());
    assertPending(waiter.poll());
    return { client, accepted, port, waiter };
  });
  await rt.shutdownTimeout(1000);
  await noSocketsLeft(); // every socket and the listener are closed by the shutdown
  assert.ok(finallyRan, "the blocked task was dropped");
  assert.ok(waiter.isWoken(), "a task waiting on a socket is woken by the shutdown");
  assert.throws(() => waiter.poll(), (e: unknown) => e instanceof ContextError && e.code === "ERR_RUNTIME_SHUTDOWN");
  assert.throws(() => client.tryRead(new Uint8Array(1)), (e: unknown) => e instanceof ContextError);
  assert.ok((client as unknown as { io: { socket: net.Socket } }).io.socket.destroyed);
  assert.ok((accepted as unknown as { io: { socket: net.Socket } }).io.socket.destroyed);
  // the listener is gone: a plain connect is refused
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.on("connect", () => {
      s.destroy();
      resolve("connected");
    });
    s.on("error", (e: Error & { code?: string }) => resolve(e.code ?? "error"));
  });
  assert.is(refused, "ECONNREFUSED");
});

test("a bind to a name still resolving when the runtime shuts down fails with the shutdown error, UDP as TCP", async () => {
  const rt = runtime();
  const [udp, tcp] = await rt.blockOn(function* () {
    const udp = mockTask(UdpSocket.bind("localhost:0"));
    const tcp = mockTask(TcpListener.bind("localhost:0"));
    assertPending(udp.poll()); // resolving "localhost"
    assertPending(tcp.poll());
    return [udp, tcp];
  });
  rt.shutdownBackground();
  for (let i = 0; i < 2000 && !(udp.isWoken() && tcp.isWoken()); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  for (const [what, t] of [["UdpSocket.bind", udp], ["TcpListener.bind", tcp]] as const) {
    assert.throws(() => t.poll(), (e: unknown) => e instanceof ContextError && e.code === "ERR_RUNTIME_SHUTDOWN", what);
  }
  await noSocketsLeft();
});

test.run();
