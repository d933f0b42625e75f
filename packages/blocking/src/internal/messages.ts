/**
 * The messages that go on a worker's MessagePort beside the slot ring (see layout.ts): a
 * function definition the first time a worker meets a function, and payloads that do not fit
 * in a slot. They are read with `receiveMessageOnPort`, in the order of the records that
 * announce them.
 */
import type { MessagePort } from "node:worker_threads";

/** A job function as a worker learns it, once, by id. */
export type Definition =
  | { readonly id: number; readonly kind: "source"; readonly source: string }
  | { readonly id: number; readonly kind: "module"; readonly url: string; readonly exportName: string };

/**
 * Arguments (or a result) that did not fit in the slot: v8 bytes; or, for arguments with
 * transfers, a job's own port that holds `{ args }` (posted at the call, so ownership moves
 * then); or, for a result with transfers, the value itself.
 */
export type PortPayload =
  | { readonly bytes: Uint8Array }
  | { readonly channel: MessagePort }
  | { readonly value: unknown };
