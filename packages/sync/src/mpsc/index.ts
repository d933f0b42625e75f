/**
 * `mpsc`: multi-producer, single-consumer channels (Tokio's `sync::mpsc`). Import it as a
 * namespace: `import { mpsc } from "@tokio-ts/sync"`, then `mpsc.channel(n)` for a bounded
 * channel with backpressure or `mpsc.unboundedChannel()` for one whose `send` never waits.
 *
 * @example
 * ```ts
 * const [tx, rx] = mpsc.channel<number>(32);
 * for (let id = 0; id < 4; id++) {
 *   const worker = tx.clone();
 *   spawn(async () => { await worker.send(id); worker.close(); });
 * }
 * tx.close();
 * let sum = 0;
 * for await (const id of rx) sum += id; // 6, once all four workers closed their senders
 * ```
 *
 * @module
 */
export { channel, Sender, WeakSender, Receiver } from "./bounded.js";
export { OwnedPermit, Permit, PermitIterator } from "./permit.js";
export { unboundedChannel, UnboundedSender, WeakUnboundedSender, UnboundedReceiver } from "./unbounded.js";
// The errors of this channel, also here as Tokio has them (`mpsc::error::SendError`); the same
// classes as the package's top-level exports.
export { SendError, TrySendError, SendTimeoutError, TryRecvError } from "../errors.js";
