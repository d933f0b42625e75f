/**
 * `node dist/src/main.js [--port 6379] [--host 127.0.0.1]`: run mini-redis until SIGINT or
 * SIGTERM, then shut down gracefully — stop accepting, let every connection finish the batch it
 * is answering, exit 0. A second signal exits at once (130), for a connection stuck writing to a
 * client that does not read.
 *
 * It prints `mini-redis listening on <address>` once it accepts connections (`--port 0` picks a
 * free port, which that line gives).
 */
import { signal } from "@tokio-ts/io-driver";
import { main, select } from "@tokio-ts/macros";
import { TcpListener } from "@tokio-ts/net";
import { spawn } from "@tokio-ts/runtime";
import { CancellationToken } from "@tokio-ts/sync";
import { serve } from "./server.js";

interface Args {
  readonly port: number;
  readonly host: string;
}

function parseArgs(argv: readonly string[]): Args {
  let port = 6379;
  let host = "127.0.0.1";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--port" && value !== undefined) {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be 0 to 65535, got ${value}`);
      i++;
    } else if (arg === "--host" && value !== undefined) {
      host = value;
      i++;
    } else {
      throw new TypeError(`unknown argument ${arg}: usage: main.js [--port 6379] [--host 127.0.0.1]`);
    }
  }
  return { port, host };
}

/**
 * Tokio's mini-redis stops on `signal::ctrl_c()`; this one on SIGINT or SIGTERM. The first
 * cancels `shutdown`; a second, while connections drain, exits at once (130), for a connection
 * stuck writing to a client that does not read its replies. The listeners stay open from the
 * start, so a signal between the two waits is not lost; when `main` ends, dropping this task
 * closes them.
 */
function* onSignals(shutdown: CancellationToken): Generator<unknown, void, any> {
  using interrupt = signal("SIGINT");
  using terminate = signal("SIGTERM");
  const next = () => select({ interrupt: interrupt.recv(), terminate: terminate.recv() });
  yield* next();
  console.log("mini-redis: shutting down");
  shutdown.cancel();
  yield* next();
  console.log("mini-redis: forced exit");
  process.exit(130);
}

await main(function* () {
  const { port, host } = parseArgs(process.argv.slice(2));
  const shutdown = new CancellationToken();
  spawn(onSignals(shutdown));
  const listener = yield* TcpListener.bind({ host, port });
  try {
    console.log(`mini-redis listening on ${listener.localAddr()}`);
    yield* serve(listener, {
      shutdown,
      onConnectionError: (error) => {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (code !== "ECONNRESET" && code !== "EPIPE") console.error("mini-redis: connection error:", error);
      },
    });
    console.log("mini-redis: stopped");
  } finally {
    listener.close();
  }
});
