/**
 * `tokio-ts/core/collections`: the data structures for executors and drivers — the same items
 * as `@tokio-ts/core/collections` (a growable ring buffer, a FIFO queue of linked blocks, an
 * intrusive linked list). Not covered by the stability promise of the main entry point.
 *
 * @example
 * ```ts
 * import { RingBuffer } from "tokio-ts/core/collections";
 * const runQueue = new RingBuffer<() => void>();
 * ```
 *
 * @packageDocumentation
 */
export { BlockQueue, RingBuffer, LinkedList, type ListNode } from "@tokio-ts/core/collections";
