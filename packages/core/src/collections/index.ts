/**
 * `@tokio-ts/core/collections`: the data structures that several tokio-ts packages share — a
 * growable ring buffer, a FIFO queue of linked blocks (run queues, channel buffers) and an
 * intrusive linked list (wait queues). Published for the sibling packages and for executors; not covered by the stability
 * promise of the main entry point.
 *
 * @packageDocumentation
 */
export { BlockQueue } from "./block-queue.js";
export { RingBuffer } from "./ring-buffer.js";
export { LinkedList, type ListNode } from "./linked-list.js";
