/**
 * The shared-memory layout between the pool (main thread) and one worker, and the protocol on
 * it. Both sides import this file; nothing here allocates.
 *
 * HOW. Each worker owns one `SharedArrayBuffer`:
 *
 * ```
 * Int32 words  [HEAD, SLEEPING, _, _]              control
 * Int32 words  [state of slot 0 … state of slot K-1]
 * bytes        slot 0 | slot 1 | … | slot K-1      SLOT_BYTES each
 * ```
 *
 * and the pool has one more small buffer that every worker shares, with the completion counter
 * (`DONE`) and the main thread's `MAIN_WAITING` flag.
 *
 * The slots form a single-producer / single-consumer ring. The main thread writes job `n` into
 * slot `n % K`, sets its state to QUEUED and publishes `HEAD = n + 1` (one store for a whole
 * batch). The worker takes slots in order; it is the only reader of the ring, and the main
 * thread is the only one that frees slots (in order, after it read the result), so the ring
 * needs no locks — only the per-slot state word, which both sides change with
 * compare-and-swap:
 *
 * ```
 *   FREE ──main──▶ QUEUED ──worker──▶ RUNNING ──worker──▶ DONE ──main reads──▶ FREE
 *                    │                   │
 *                  main (abort)        main (abort with terminateOnAbort)
 *                    ▼                   ▼
 *                CANCELLED ─worker─▶ SKIPPED     KILL: the worker stops before its next job
 *                (main frees it)                 and waits to be terminated
 * ```
 *
 * A worker with nothing to do sets SLEEPING and `Atomics.wait`s on HEAD; the main thread
 * notifies only when SLEEPING is set, so a busy worker costs no syscall per job. A worker
 * that finishes a job bumps DONE and notifies only if MAIN_WAITING is set; the main thread
 * sets that flag, re-reads DONE, and only then `Atomics.waitAsync`s — so either the worker sees
 * the flag or the main thread sees the new count, and no completion is missed.
 *
 * A slot holds a record: four Int32 header words then the payload.
 * - header 0, FLAGS: which extra messages come on the worker's `MessagePort` (read with
 *   `receiveMessageOnPort`, in order) and how the payload is encoded (see F_* below).
 * - header 1, FN: the job's function id (request) / the run time in microseconds (result).
 * - header 2, LENGTH: payload bytes.
 */

/** Slots per worker ring (one is kept free for the EXIT record). */
export const SLOTS = 256;
/** Bytes per slot, header included. */
export const SLOT_BYTES = 512;
/** Header bytes of a record. */
export const RECORD_HEADER = 16;
/** Room for the payload inside a slot. */
export const PAYLOAD_BYTES = SLOT_BYTES - RECORD_HEADER;

// Control words of a worker's buffer (Int32 indices).
/** Count of records published by the main thread (wraps at 2^32; compare with `(a - b) | 0`). */
export const HEAD = 0;
/** 1 while the worker is about to wait or waiting on HEAD. */
export const SLEEPING = 1;
/** A word nobody ever changes: a worker marked KILL waits on it until it is terminated. */
export const NEVER = 2;
export const CONTROL_WORDS = 4;

/** Byte offset of the slot-state words. */
export const STATES_OFFSET = CONTROL_WORDS * 4;
/** Byte offset of the slots. */
export const SLOTS_OFFSET = STATES_OFFSET + SLOTS * 4;
/** Size of a worker's buffer. */
export const WORKER_BUFFER_BYTES = SLOTS_OFFSET + SLOTS * SLOT_BYTES;

// Words of the pool's shared buffer.
/** Completions so far (all workers). */
export const DONE = 0;
/** 1 while the main thread waits (or is about to) for DONE to change. */
export const MAIN_WAITING = 1;
export const POOL_BUFFER_BYTES = 16;

// Slot states.
export const FREE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const DONE_STATE = 3;
export const CANCELLED = 4;
export const SKIPPED = 5;
export const KILL = 6;

// Record flags (header word 0).
/** Request: a function definition `{ id, kind, … }` comes on the port first. */
export const F_DEFINE = 1;
/** The payload is on the port (`{ bytes }` v8-serialized, or `{ value }` with transfers). */
export const F_PORT = 2;
/** Request: the EXIT record; the worker leaves its loop. */
export const F_EXIT = 4;
/** Result: the job threw; the payload is the encoded error (see codec's `encodeError`). */
export const F_THREW = 8;
/** Request/result: the payload arrives on a job's own MessagePort carried by the port message. */
export const F_CHANNEL = 16;

/** What `Atomics.waitAsync` returns. */
export type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };

/**
 * `Atomics.waitAsync` (ES2024; in Node since 16), typed here because the project targets
 * ES2022. Looked up at each call, not captured at import.
 */
export function waitAsync(array: Int32Array, index: number, value: number): WaitAsyncResult {
  return (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): WaitAsyncResult }).waitAsync(array, index, value);
}
