/**
 * The future of `TcpStream.connect`, `TcpSocket.connect` and `UnixStream.connect`.
 *
 * HOW. Lazy: the first poll finds the runtime's I/O driver (the ContextError names
 * `enableIo()` when it is missing), creates the socket with `NodeStream.connect` and starts the
 * connection; later polls wait for the socket's `connect` (WRITABLE) or `error`. Dropping the
 * future before it completes destroys the half-open socket. A failed connect destroys the
 * socket and throws Node's error, which keeps the code and names the address
 * (`connect ECONNREFUSED 127.0.0.1:1`).
 */
import { Future, Pending, type Context, type Poll } from "@tokio-ts/core";
import { ioDriver, NodeStream, type NodeStreamOptions } from "@tokio-ts/io-driver";
import type * as net from "node:net";

/** @internal What a connect needs: the call's name, Node's connect options, the wrapper. */
export interface ConnectSpec<S> {
  readonly what: string;
  readonly options: net.TcpNetConnectOpts | net.IpcNetConnectOpts;
  readonly stream?: NodeStreamOptions;
  readonly wrap: (io: NodeStream) => S;
}

/** @internal */
export class ConnectFuture<S> extends Future<S> {
  #io: NodeStream | undefined = undefined;
  #done = false;

  constructor(private readonly spec: ConnectSpec<S>) {
    super();
  }

  poll(cx: Context): Poll<S> {
    if (this.#done) throw new Error(`${this.spec.what}: the future already completed`);
    let io = this.#io;
    if (io === undefined) {
      const driver = ioDriver(this.spec.what);
      io = this.#io = NodeStream.connect(driver, this.spec.options, this.spec.stream);
    }
    let result: Poll<void>;
    try {
      result = io.pollConnected(cx);
    } catch (error) {
      this.#done = true;
      io.close();
      throw error;
    }
    if (result === Pending) return Pending;
    this.#done = true;
    return this.spec.wrap(io);
  }

  override cancel(): void {
    if (!this.#done && this.#io !== undefined) {
      this.#done = true;
      this.#io.close();
    }
  }
}
