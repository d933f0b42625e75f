/**
 * The receive queue of a `UdpSocket`: the datagrams Node delivered (`'message'` events) that no
 * receive has taken yet, oldest first, with their senders.
 *
 * HOW. A ring of two parallel arrays (payload, sender) that grows by doubling up to `capacity`
 * and never beyond: when it is full, a new datagram is dropped and counted in `dropped`, as the
 * kernel drops datagrams when a socket's receive buffer is full. Node's datagram sockets have no
 * flow control (libuv keeps reading), so this bound is what keeps a flood from growing memory
 * without limit. Slots outside [head, head + length) hold `undefined` so taken payloads can be
 * collected.
 */
import type { SocketAddr } from "../addr.js";

export class DatagramQueue {
  readonly capacity: number;
  /** Datagrams dropped because the queue was full. */
  dropped = 0;
  #data: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(4).fill(undefined);
  #from: (SocketAddr | undefined)[] = new Array<SocketAddr | undefined>(4).fill(undefined);
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get length(): number {
    return this.#length;
  }

  /** Queue a datagram; false (and counted as dropped) if the queue is full. */
  push(data: Uint8Array, from: SocketAddr): boolean {
    if (this.#length >= this.capacity) {
      this.dropped++;
      return false;
    }
    if (this.#length === this.#data.length) this.#grow();
    const at = (this.#head + this.#length) % this.#data.length;
    this.#data[at] = data;
    this.#from[at] = from;
    this.#length++;
    return true;
  }

  /** The oldest datagram's payload (the queue must not be empty). */
  peekData(): Uint8Array {
    return this.#data[this.#head] as Uint8Array;
  }

  /** The oldest datagram's sender (the queue must not be empty). */
  peekFrom(): SocketAddr {
    return this.#from[this.#head] as SocketAddr;
  }

  /** Remove the oldest datagram (the queue must not be empty). */
  shift(): void {
    this.#data[this.#head] = undefined;
    this.#from[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#data.length;
    this.#length--;
  }

  /** Drop everything (the socket closed). */
  clear(): void {
    this.#data.fill(undefined);
    this.#from.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const size = this.#data.length;
    const data = new Array<Uint8Array | undefined>(size * 2).fill(undefined);
    const from = new Array<SocketAddr | undefined>(size * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) {
      data[i] = this.#data[(this.#head + i) % size];
      from[i] = this.#from[(this.#head + i) % size];
    }
    this.#data = data;
    this.#from = from;
    this.#head = 0;
  }
}
