/**
 * An intrusive doubly linked list: the node is the waiter itself (a future that is waiting),
 * so queueing a waiter allocates nothing and removing it — when its future is dropped — is
 * O(1). The wait queues of `@tokio-ts/sync` are built on it.
 *
 * Invariants: a node is in at most one list; `node.list` names it (undefined when unlinked);
 * `head`/`tail` are undefined together; `length` counts the nodes.
 */

/**
 * The links a node carries. Owned by the list it is in.
 *
 * @example
 * ```ts
 * class Waiter implements ListNode {
 *   listPrev: ListNode | undefined = undefined;
 *   listNext: ListNode | undefined = undefined;
 *   list: LinkedList<ListNode> | undefined = undefined;
 * }
 * ```
 */
export interface ListNode {
  listPrev: ListNode | undefined;
  listNext: ListNode | undefined;
  /** The list the node is in, or undefined. */
  list: LinkedList<ListNode> | undefined;
}

/**
 * The list. `T` is the node type (a class implementing {@link ListNode}).
 *
 * @example
 * ```ts
 * class Waiter implements ListNode { listPrev = undefined; listNext = undefined; list = undefined }
 * const q = new LinkedList<Waiter>();
 * const w = new Waiter();
 * q.pushBack(w);
 * q.remove(w); // O(1)
 * ```
 */
export class LinkedList<T extends ListNode> {
  head: T | undefined = undefined;
  tail: T | undefined = undefined;
  length = 0;

  /** Append `node` (which must not be in a list). */
  pushBack(node: T): void {
    const tail = this.tail;
    node.listPrev = tail;
    node.listNext = undefined;
    node.list = this as LinkedList<ListNode>;
    if (tail === undefined) this.head = node;
    else tail.listNext = node;
    this.tail = node;
    this.length++;
  }

  /** Prepend `node` (which must not be in a list). */
  pushFront(node: T): void {
    const head = this.head;
    node.listNext = head;
    node.listPrev = undefined;
    node.list = this as LinkedList<ListNode>;
    if (head === undefined) this.tail = node;
    else head.listPrev = node;
    this.head = node;
    this.length++;
  }

  /** Remove and return the first node. */
  popFront(): T | undefined {
    const node = this.head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Remove and return the last node. */
  popBack(): T | undefined {
    const node = this.tail;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Unlink `node` if it is in this list; false if it is not. O(1). */
  remove(node: T): boolean {
    if (node.list !== (this as LinkedList<ListNode>)) return false;
    const { listPrev: prev, listNext: next } = node;
    if (prev === undefined) this.head = next as T | undefined;
    else prev.listNext = next;
    if (next === undefined) this.tail = prev as T | undefined;
    else next.listPrev = prev;
    node.listPrev = node.listNext = undefined;
    node.list = undefined;
    this.length--;
    return true;
  }

  /** Whether the list has no node. */
  isEmpty(): boolean {
    return this.head === undefined;
  }
}
