/**
 * `node dist/src/main.js`: start the echo server on 127.0.0.1, let a client send it a few lines
 * and print the echoes, stop the server, exit 0 — the demo.
 *
 * `node dist/src/main.js --serve [--port 8080]`: keep serving (Tokio's example listens on
 * 127.0.0.1:8080) until SIGINT, which closes the connections and exits 0 (a second SIGINT exits
 * at once, for a connection stuck writing to a client that does not read); try it with
 * `socat - TCP:127.0.0.1:8080`.
 *
 * Options: `--port N` (demo default 0, a free port; with --serve, 8080), `--serve`.
 */
import { signal } from "@tokio-ts/io-driver";
import { main, select } from "@tokio-ts/macros";
import { TcpListener } from "@tokio-ts/net";
import { spawn } from "@tokio-ts/runtime";
import { CancellationToken } from "@tokio-ts/sync";
import { talk } from "./client.js";
import { serve } from "./server.js";

interface Args {
  readonly port: number | undefined;
  readonly serve: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let port: number | undefined;
  let serveForever = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--serve") {
      serveForever = true;
    } else if (arg === "--port" && argv[i + 1] !== undefined) {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be 0 to 65535, got ${argv[i]}`);
    } else {
      throw new TypeError(`unknown argument ${arg}: usage: main.js [--serve] [--port N]`);
    }
  }
  return { port, serve: serveForever };
}

const LINES = ["hello, tokio-ts", "a future does nothing until it is polled", "goodbye"];

/**
 * Stop on SIGINT or SIGTERM (Tokio's examples wait on `signal::ctrl_c()`): the first cancels
 * `shutdown`; a second, while connections close, exits at once (130), for a connection stuck
 * writing to a client that does not read. Dropping this task (when `main` ends) closes the
 * listeners.
 */
function* onSignals(shutdown: CancellationToken): Generator<unknown, void, any> {
  using interrupt = signal("SIGINT");
  using terminate = signal("SIGTERM");
  const next = () => select({ interrupt: interrupt.recv(), terminate: terminate.recv() });
  yield* next();
  console.log("echo server shutting down");
  shutdown.cancel();
  yield* next();
  console.log("echo server: forced exit");
  process.exit(130);
}

await main(function* () {
  const args = parseArgs(process.argv.slice(2));
  const shutdown = new CancellationToken();
  spawn(onSignals(shutdown));
  const listener = yield* TcpListener.bind({ host: "127.0.0.1", port: args.port ?? (args.serve ? 8080 : 0) });
  console.log(`echo server listening on ${listener.localAddr()}`);
  try {
    // A generator function, not `() => serve(…)`: an arrow is run as an async body, which switches
    // AsyncLocalStorage on (promise hooks on every socket write on Node 20).
    const server = spawn(function* () {
      yield* serve(listener, { shutdown });
    });
    if (!args.serve) {
      const echoes = yield* talk(listener.localAddr(), LINES);
      for (let i = 0; i < LINES.length; i++) console.log(`client sent ${JSON.stringify(LINES[i])}, got back ${JSON.stringify(echoes[i])}`);
      shutdown.cancel();
    }
    yield* server;
    console.log("echo server stopped");
  } finally {
    listener.close();
  }
});
