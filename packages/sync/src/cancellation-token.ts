/**
 * CancellationToken: a tree of cancellation signals (tokio-util's `sync::CancellationToken`),
 * with conversions to and from `AbortSignal`.
 *
 * HOW. A token is a node of a tree: `childToken()` links a child under its parent, and
 * `cancel()` cancels the node and, iteratively (no recursion, so a deep chain cannot overflow
 * the stack), every descendant. A token cancelled on its own leaves its parent's set of
 * children at once.
 *
 * WHY the links are weak downward. In Rust a child token leaves its parent when its last clone
 * is dropped. JavaScript has no such moment, so a parent that held its children strongly would
 * keep every child ever made (say one per request) until it is cancelled itself. Here a parent
 * holds each child only through a `WeakRef`, inside a small link object; the child holds its
 * parent strongly (as an `Arc` would), so a chain stays alive from whichever end someone holds.
 * When a child is collected, a `FinalizationRegistry` removes its link from the parent; when it
 * is cancelled or disposed, it removes the link at once. Everything that can observe a token —
 * a `cancelled()` future, a child, a signal from `toSignal()` (through a WeakMap) — holds it
 * strongly.
 *
 * WHY a token is sometimes held strongly (pins). Holding the observers is not enough: an observer may
 * itself be reachable only through the token. `await child.cancelled()` in plain async code
 * leaves the function's continuation in the future's promise, and the future in the token's
 * list of waits; an abort listener on `child.toSignal()` is held by that signal, which the
 * token holds. Nothing outside reaches that cycle but the parent's weak link, so a GC would
 * take it, and the parent's `cancel()` would reach nobody. So a token is *pinned* while it is
 * observed that way, and a pinned token is held strongly by its source: in its parent's
 * `#pinned` array, or its signal hub's `pinned` (O(1) in and out: swap-remove, the token keeps
 * its index in `#pinSlot`). So it lives as long as its source, no longer — not by its link: the
 * FinalizationRegistry holds the links, which would keep a token alive for ever after its
 * source (and every way to cancel it) is gone; for the same reason a SignalLink reaches its
 * hub only through a WeakRef, and the set of listener-held tokens below holds WeakRefs. `#pins`
 * counts the reasons: each queued `cancelled()` wait, each pinned child (a child pinned makes
 * its parent pinned, up to the root or the signal), and 1 while its `toSignal()` signal has
 * abort listeners (the signal's `addEventListener`/`removeEventListener` are wrapped to
 * recount them with Node's `getEventListeners`). A token that is only held by its source and
 * not pinned can be collected: nothing could notice its cancellation.
 *
 * The same holds for `fromSignal(signal)`: the token's link holds it weakly, so a long-lived
 * signal does not keep per-request tokens alive; the link leaves when the token is cancelled
 * (by the signal or otherwise), disposed or collected. A signal gets ONE abort listener, its
 * {@link SignalHub}, however many tokens hang on it: the hub holds their links in a set (O(1)
 * in and out). One listener per token would cost O(n) per add and remove (EventTarget keeps a
 * list and checks it for duplicates), and past 10 tokens — 11 requests in flight on a server's
 * shutdown signal — Node would print "MaxListenersExceededWarning: Possible EventTarget memory
 * leak detected". The hub leaves the signal with its last link.
 *
 * Token state: `#cancelled` goes false → true once, in `cancelTree`. While false, `#link` is
 * the token's registration with its source (parent or signal) or undefined for a root;
 * `#children` holds the links of live children; `#waiters` the pending `cancelled()` futures.
 * At cancellation the token drops `#link`, `#parent` and `#children` (releasing the tree) and
 * wakes its waiters, then aborts its `toSignal()` controller — user callbacks run last, with
 * every token of the subtree already in its final state. Disposing a token that has a source
 * moves its children's links to that source (a new link each, in the parent's set or the
 * signal's hub) before it detaches itself, so they still hear the source — Tokio removes a
 * node whose last handle is dropped the same way.
 */
import { getEventListeners } from "node:events";
import { Future, intoFuture, Pending, type Context, type NotAsyncGenerator, type Poll } from "@tokio-ts/core";
import { ConditionWait, NO_ERROR, WaitList } from "./internal/wait-list.js";

/** Something that ties a token to its source and can be undone without touching the token. */
interface Link {
  detach(): void;
}

/** A child's entry in its parent's set: holds the child weakly. */
class ChildLink implements Link {
  constructor(
    readonly siblings: Set<ChildLink>,
    readonly ref: WeakRef<CancellationToken>,
  ) {}

  detach(): void {
    this.siblings.delete(this);
  }
}

/** A `fromSignal` token's entry in its signal's hub: holds the token weakly. */
class SignalLink implements Link {
  /** The hub's own WeakRef to itself (one per hub, shared by its links): see the header. */
  readonly hubRef: WeakRef<SignalHub>;

  constructor(
    hub: SignalHub,
    readonly ref: WeakRef<CancellationToken>,
  ) {
    this.hubRef = hub.self;
  }

  detach(): void {
    const hub = this.hubRef.deref();
    if (hub === undefined || !hub.links.delete(this) || hub.links.size !== 0) return;
    // The last token left: the signal keeps no listener of ours.
    hub.signal.removeEventListener("abort", hub);
    if (hubs.get(hub.signal) === hub) hubs.delete(hub.signal);
  }
}

/** The one abort listener a signal gets, for every `fromSignal` token attached to it. */
class SignalHub {
  readonly links = new Set<SignalLink>();
  /** The attached tokens that are pinned (see the header), held while the signal lives. */
  readonly pinned: CancellationToken[] = [];
  readonly self: WeakRef<SignalHub> = new WeakRef(this);

  constructor(readonly signal: AbortSignal) {}

  handleEvent(): void {
    hubs.delete(this.signal);
    const reason = this.signal.reason;
    // Empty the set first (cancelling a token would detach its link from it mid-walk).
    const attached = [...this.links];
    this.links.clear();
    let failed = false;
    let first: unknown;
    for (const link of attached) {
      const token = link.ref.deref();
      if (token === undefined) continue;
      try {
        cancelTree(token, reason);
      } catch (error) {
        // A waker that throws must not keep the other tokens from their cancellation.
        if (!failed) {
          failed = true;
          first = error;
        }
      }
    }
    if (failed) throw first;
  }
}

/** The hub of each signal that has `fromSignal` tokens attached. */
const hubs = new WeakMap<AbortSignal, SignalHub>();

/**
 * Detaches the link of a token that was collected while still attached. The registry holds the
 * links strongly, so a link must not reach a token it pins (see the header).
 */
const links = new FinalizationRegistry<Link>((link) => link.detach());

/** A `toSignal()` signal keeps its token alive, so it still aborts when an ancestor cancels. */
const signalOwners = new WeakMap<AbortSignal, CancellationToken>();

let cancelTree: (token: CancellationToken, reason: unknown) => void;
let childCountOf: (token: CancellationToken) => number;
let pinnedOf: (token: CancellationToken) => CancellationToken[];
let pin: (token: CancellationToken) => void;
let unpin: (token: CancellationToken) => void;
let listenersChanged: (token: CancellationToken, added: boolean) => void;

/**
 * The tokens pinned by abort listeners on their `toSignal()` signal. Node removes some of those
 * listeners without a call to `removeEventListener` (the weak listener that a listener's
 * `{ signal }` option adds goes when its target is collected), so the wrappers would not see
 * them go. {@link sweepListened} recounts two of them at each new token, round the set, so such
 * pins cannot pile up under a long-lived parent faster than tokens are made.
 */
const listened = new Set<WeakRef<CancellationToken>>();
let sweep: Iterator<WeakRef<CancellationToken>> | undefined;

function sweepListened(): void {
  if (listened.size === 0) return;
  for (let i = 0; i < 2; i++) {
    let next = (sweep ??= listened.values()).next();
    if (next.done === true) next = (sweep = listened.values()).next();
    if (next.done === true) return;
    const token = next.value.deref();
    if (token === undefined) listened.delete(next.value); // collected with its source
    else listenersChanged(token, false);
  }
}

/**
 * A token that can be cancelled once, and observed: `isCancelled()`, the `cancelled()` future,
 * `runUntilCancelled(work)`, or as an `AbortSignal` for foreign APIs. Child tokens are cancelled
 * with their parent, not the other way round. Works with or without a runtime.
 *
 * @example
 * ```ts
 * const shutdown = new CancellationToken();
 * const worker = rt.spawn(function* () {
 *   const child = shutdown.childToken();
 *   const done = yield* child.runUntilCancelled(function* () {
 *     yield* sleep(60_000);
 *     return "finished";
 *   });
 *   return done ?? "stopped";
 * });
 * shutdown.cancel();
 * await worker; // "stopped"
 * ```
 */
export class CancellationToken implements Disposable {
  #cancelled = false;
  /** The reason given to `toSignal()`'s controller: the source signal's reason, if any. */
  #reason: unknown = undefined;
  /** Never read: it keeps the parent alive while a child is held (the parent holds children weakly). */
  #parent: CancellationToken | undefined = undefined;
  #link: Link | undefined = undefined;
  #children: Set<ChildLink> | undefined = undefined;
  readonly #waiters = new WaitList();
  #controller: AbortController | undefined = undefined;
  /** Why the source must hold this token strongly (see the header); pinned while > 0. */
  #pins = 0;
  /** Whether the `toSignal()` signal has abort listeners (counted as one pin). */
  #listened = false;
  /** This token's entry in `listened` while it is there. */
  #listenedRef: WeakRef<CancellationToken> | undefined = undefined;
  /** The children pinned (see the header), held by this token. */
  #pinned: CancellationToken[] | undefined = undefined;
  /** This token's index in its source's pinned array while it is pinned there, else -1. */
  #pinSlot = -1;

  static {
    cancelTree = (root, reason) => {
      if (root.#cancelled) return;
      // First every token of the subtree reaches its final state, then the notifications.
      const stack: CancellationToken[] = [root];
      const cancelled: CancellationToken[] = [];
      for (let token = stack.pop(); token !== undefined; token = stack.pop()) {
        if (token.#cancelled) continue;
        token.#cancelled = true;
        token.#reason = reason;
        token.#detach();
        token.#unlist();
        token.#pinned = undefined;
        const children = token.#children;
        token.#children = undefined;
        if (children !== undefined) {
          for (const link of children) {
            const child = link.ref.deref();
            if (child === undefined) continue;
            links.unregister(link);
            child.#link = undefined;
            stack.push(child);
          }
        }
        cancelled.push(token);
      }
      // A waker that throws keeps no other wait, token or signal from its notification: the
      // first error is rethrown once all are done (as Tokio's notify_waiters).
      let error: unknown = NO_ERROR;
      for (const token of cancelled) {
        try {
          token.#waiters.wakeAll();
        } catch (thrown) {
          if (error === NO_ERROR) error = thrown;
        }
      }
      for (const token of cancelled) {
        const controller = token.#controller;
        if (controller === undefined) continue;
        if (token.#reason === undefined) controller.abort();
        else controller.abort(token.#reason);
      }
      if (error !== NO_ERROR) throw error;
    };
    childCountOf = (token) => token.#children?.size ?? 0;
    pinnedOf = (token) => (token.#pinned ??= []);
    pin = (token) => token.#addPin();
    unpin = (token) => token.#removePin();
    listenersChanged = (token, added) => token.#listenersChanged(token.#controller!.signal, added);
  }

  /**
   * One more reason to pin this token. The first pins it: its source holds it strongly, and a
   * parent gains a pin — and so on up while each is newly pinned (a loop: chains can be deep).
   */
  #addPin(): void {
    // Written out rather than through sourcePinned: this runs at every wait and drop of a
    // `cancelled()` (a select loop), where the helper cost ~20 % at depth 3.
    for (let token: CancellationToken | undefined = this; token !== undefined && token.#pins++ === 0; ) {
      const link: Link | undefined = token.#link;
      if (link === undefined) return; // a root, or detached or cancelled: nothing holds it weakly
      if (link instanceof ChildLink) {
        const parent: CancellationToken = token.#parent!;
        token.#holdIn((parent.#pinned ??= []));
        token = parent; // a parent gains a pin
      } else {
        const hub = (link as SignalLink).hubRef.deref();
        if (hub !== undefined) token.#holdIn(hub.pinned);
        return;
      }
    }
  }

  /** One reason less; the last unpins it (its source lets go, a parent loses a pin, …). */
  #removePin(): void {
    for (let token: CancellationToken | undefined = this; token !== undefined && --token.#pins === 0; ) {
      const link: Link | undefined = token.#link;
      if (link === undefined) return;
      if (link instanceof ChildLink) {
        const parent: CancellationToken = token.#parent!;
        token.#letGoFrom(parent.#pinned);
        token = parent;
      } else {
        token.#letGoFrom((link as SignalLink).hubRef.deref()?.pinned);
        return;
      }
    }
  }

  /** Be held in `pinned` (a source's array). */
  #holdIn(pinned: CancellationToken[]): void {
    this.#pinSlot = pinned.length;
    pinned.push(this);
  }

  /** Leave `pinned` (swap-remove: O(1)). */
  #letGoFrom(pinned: CancellationToken[] | undefined): void {
    const slot = this.#pinSlot;
    this.#pinSlot = -1;
    if (pinned === undefined || slot < 0 || pinned[slot] !== this) return;
    const last = pinned.pop()!;
    if (last !== this) {
      pinned[slot] = last;
      last.#pinSlot = slot;
    }
  }

  /** Recount the `toSignal()` signal's abort listeners (after one was added or removed). */
  #listenersChanged(signal: AbortSignal, added: boolean): void {
    if (this.#cancelled) {
      this.#unlist();
      return;
    }
    if (added && this.#listened) return; // one more listener: pinned already
    const now = getEventListeners(signal, "abort").length !== 0;
    if (now === this.#listened) return;
    this.#listened = now;
    if (now) {
      // Swept only while a source holds it: a root's or a detached token's pin holds nothing.
      if (this.#link !== undefined) listened.add((this.#listenedRef ??= new WeakRef(this)));
      this.#addPin();
    } else {
      this.#unlist();
      this.#removePin();
    }
  }

  /** Leave the set of listener-held tokens. */
  #unlist(): void {
    const ref = this.#listenedRef;
    if (ref === undefined) return;
    this.#listenedRef = undefined;
    listened.delete(ref);
  }

  /**
   * A token cancelled when `signal` aborts (at once if it has). Its `toSignal()` aborts with the
   * same reason. The token is attached to `signal` until it is cancelled — through the signal
   * or otherwise — or disposed, and the attachment does not keep it alive. However many tokens
   * one signal has, it gets a single abort listener, removed with the last of them (so
   * `fromSignal(server.signal)` per request triggers no MaxListenersExceededWarning).
   *
   * @example
   * ```ts
   * const controller = new AbortController();
   * const token = CancellationToken.fromSignal(controller.signal);
   * controller.abort();
   * token.isCancelled(); // true
   * ```
   *
   * **Throws**: TypeError if `signal` is not an AbortSignal.
   */
  static fromSignal(signal: AbortSignal): CancellationToken {
    if (!(signal instanceof AbortSignal)) throw new TypeError("signal must be an AbortSignal");
    sweepListened();
    const token = new CancellationToken();
    if (signal.aborted) {
      cancelTree(token, signal.reason);
      return token;
    }
    let hub = hubs.get(signal);
    if (hub === undefined) {
      hub = new SignalHub(signal);
      hubs.set(signal, hub);
      signal.addEventListener("abort", hub, { once: true });
    }
    const link = new SignalLink(hub, new WeakRef(token));
    hub.links.add(link);
    links.register(token, link, link);
    token.#link = link;
    return token;
  }

  /**
   * Cancel this token and every token below it; wake every `cancelled()` future and abort the
   * `toSignal()` signals. Idempotent.
   *
   * @example
   * ```ts
   * const parent = new CancellationToken();
   * const child = parent.childToken();
   * parent.cancel();
   * child.isCancelled(); // true
   * ```
   */
  cancel(): void {
    cancelTree(this, undefined);
  }

  /** Whether the token was cancelled (directly, through an ancestor or through its signal). */
  isCancelled(): boolean {
    return this.#cancelled;
  }

  /**
   * A new token that is cancelled when this one is, but whose own cancellation does not reach
   * this one. A child of a cancelled token is born cancelled.
   *
   * The parent holds the child weakly while nothing waits on it: a child that is no longer
   * referenced is collected and leaves the parent's set; one that is cancelled or disposed
   * leaves it at once. A child that something waits on — a pending `cancelled()` (its own or a
   * descendant's), an abort listener on its `toSignal()` — is held by its parent until that
   * wait ends, so `await parent.childToken().cancelled()` in plain async code is resumed by
   * `parent.cancel()` however long it waits. (Setting `signal.onabort = null` leaves Node's
   * handler wrapper registered, so that one counts as a listener still.) A signal made by
   * `AbortSignal.any` from the child's `toSignal()` does not hold it: see {@link toSignal}.
   *
   * @example
   * ```ts
   * const parent = new CancellationToken();
   * const child = parent.childToken();
   * child.cancel();
   * parent.isCancelled(); // false
   * ```
   */
  childToken(): CancellationToken {
    sweepListened();
    const child = new CancellationToken();
    if (this.#cancelled) {
      cancelTree(child, this.#reason);
      return child;
    }
    const link = new ChildLink((this.#children ??= new Set()), new WeakRef(child));
    link.siblings.add(link);
    links.register(child, link, link);
    child.#link = link;
    child.#parent = this;
    return child;
  }

  /**
   * Wait until the token is cancelled.
   *
   * @example
   * ```ts
   * const token = new CancellationToken();
   * setTimeout(() => token.cancel(), 10);
   * await token.cancelled();
   * ```
   *
   * **Cancel safety**: cancel safe: a dropped wait leaves the token's list of waits in O(1).
   * A wait that is never dropped stays: in plain async code, `Promise.race([token.cancelled(),
   * work()])` leaves the losing wait queued after the race (a promise cannot be dropped), and a
   * queued wait keeps a child token in its parent until the token is cancelled. Race with
   * `select`, or use `token.runUntilCancelled(work)`, which drops the wait when `work` ends.
   */
  cancelled(): Future<void> {
    return new CancelledFuture(this, this.#waiters);
  }

  /**
   * Run `body` until it completes or the token is cancelled, whichever comes first: its output,
   * or undefined if the token was cancelled first — then `body`'s future is dropped (a
   * generator's `finally` blocks run; an async function's pending await rejects and its
   * `AbortSignal` fires). Fairness, as Tokio's: on a token already cancelled at the first poll
   * it gives undefined and `body` never runs; after that, when `body` completes in the same turn
   * as the cancellation, its output wins. `body` is a future, a generator function, a generator object
   * (`work(id)` of a `function* work(id)`) or an async function.
   *
   * @example
   * ```ts
   * const token = new CancellationToken();
   * token.cancel();
   * const out = await token.runUntilCancelled(async () => "work"); // undefined: never started
   * ```
   *
   * **Cancel safety**: as cancel safe as `body`; dropping it drops `body`'s future.
   */
  runUntilCancelled<T>(body: Future<T>): Future<T | undefined>;
  runUntilCancelled<T>(body: (signal: AbortSignal) => Generator<unknown, T, unknown>): Future<T | undefined>;
  runUntilCancelled<T>(body: Generator<unknown, T, unknown>): Future<T | undefined>;
  runUntilCancelled<R>(body: (signal: AbortSignal) => NotAsyncGenerator<R>): Future<Awaited<R> | undefined>;
  runUntilCancelled<T>(body: Future<T> | Generator<unknown, T, unknown> | ((signal: AbortSignal) => unknown)): Future<T | undefined> {
    return new RunUntilCancelled<T>(this, intoFuture(body as Future<T>));
  }

  /**
   * A guard that cancels the token when it is disposed, unless it was disarmed first (Tokio's
   * `drop_guard`).
   *
   * @example
   * ```ts
   * const token = new CancellationToken();
   * {
   *   using guard = token.dropGuard();
   *   // … work that may throw …
   * } // token cancelled here, however the block ended
   * token.isCancelled(); // true
   * ```
   */
  dropGuard(): CancellationTokenDropGuard {
    return new CancellationTokenDropGuard(this);
  }

  /**
   * An `AbortSignal` that aborts when this token is cancelled (aborted already if it is), for
   * APIs that take one (`fetch`, `fs`, `events.once`…). The same signal every time. It keeps
   * the token alive, so it aborts even if nothing else references the token; and while it has
   * abort listeners, the token's source (parent, or `fromSignal` signal) keeps it, so a
   * listener fires even if nothing references the signal either. It aborts with the
   * source signal's reason when the cancellation came from the signal of a {@link fromSignal}
   * token (this one or an ancestor), otherwise with the default `AbortError`.
   *
   * `AbortSignal.any([token.toSignal(), …])` is the exception: Node's combined signal holds its
   * sources weakly and adds no listener to them, so it keeps neither the signal nor the token.
   * A child token (or a `fromSignal` one) that only such a signal refers to can be collected,
   * and then its source's cancellation no longer reaches the combined signal. Keep a reference
   * to the token (a `using` binding, a field) for as long as the combined signal is in use.
   *
   * @example
   * ```ts
   * const token = new CancellationToken();
   * const res = fetch(url, { signal: token.toSignal() });
   * token.cancel(); // the request is aborted
   * ```
   */
  toSignal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#cancelled) {
        if (this.#reason === undefined) controller.abort();
        else controller.abort(this.#reason);
      } else {
        signalOwners.set(controller.signal, this);
        watchListeners(controller.signal, this);
      }
    }
    return controller.signal;
  }

  /** The same as {@link toSignal}. */
  get signal(): AbortSignal {
    return this.toSignal();
  }

  /**
   * Detach the token from its source — its parent, or the signal of {@link fromSignal} —
   * without cancelling it (what dropping a token's last handle does in Rust). From then on only
   * `cancel()` on this token cancels it. Its children move up to its source, as in Tokio: a
   * child token handed out from a scope that disposes its own token is still cancelled when
   * the source is. (A root token keeps its children: `cancel()` on it still reaches them.)
   * Leaves the source signal at once (its abort listener goes with the last token attached to
   * it).
   *
   * @example
   * ```ts
   * const root = new CancellationToken();
   * const scoped = root.childToken();
   * const worker = scoped.childToken();
   * scoped[Symbol.dispose](); // or: using scoped = …
   * root.cancel();
   * worker.isCancelled(); // true: it moved up to root
   * scoped.isCancelled(); // false
   * ```
   */
  [Symbol.dispose](): void {
    if (this.#cancelled) return;
    const link = this.#link;
    if (link !== undefined) this.#moveChildrenTo(link);
    this.#detach();
  }

  /** Attach every live child of this token to `source` (this token's own link), Tokio's `move_children_to_parent`. */
  #moveChildrenTo(source: Link): void {
    const children = this.#children;
    this.#children = undefined;
    if (children === undefined) return;
    for (const old of children) {
      const child = old.ref.deref();
      links.unregister(old);
      if (child === undefined) continue;
      let link: ChildLink | SignalLink;
      if (source instanceof ChildLink) {
        link = new ChildLink(source.siblings, new WeakRef(child));
        source.siblings.add(link);
      } else {
        const hub = (source as SignalLink).hubRef.deref();
        if (hub === undefined) continue; // the signal is gone: nothing can cancel it through there
        link = new SignalLink(hub, new WeakRef(child));
        hub.links.add(link);
      }
      links.register(child, link, link);
      child.#link = link;
      child.#parent = this.#parent;
      if (child.#pins !== 0) {
        // Its pin moves with it: from this token to the source.
        child.#letGoFrom(this.#pinned);
        child.#holdIn(sourcePinned(link, this.#parent)!); // its source is there: it was just linked
        if (link instanceof ChildLink) this.#parent!.#addPin();
        this.#removePin();
      }
    }
  }

  #detach(): void {
    const link = this.#link;
    const parent = this.#parent;
    this.#unlist(); // no source holds it any more: nothing to sweep
    this.#link = undefined;
    this.#parent = undefined;
    if (link !== undefined) {
      links.unregister(link);
      link.detach();
      if (this.#pins !== 0) {
        // Its source lets go of it, and a parent loses this token's pin.
        this.#letGoFrom(sourcePinned(link, parent));
        if (link instanceof ChildLink) parent!.#removePin();
      }
    }
  }
}

/**
 * Cancels its token when disposed, unless disarmed (Tokio's `DropGuard`). Made by
 * {@link CancellationToken.dropGuard}.
 *
 * @example
 * ```ts
 * using guard = token.dropGuard();
 * if (handedOff) guard.disarm(); // keep the token alive past this scope
 * ```
 */
export class CancellationTokenDropGuard implements Disposable {
  #token: CancellationToken | undefined;

  /** @hidden */
  constructor(token: CancellationToken) {
    this.#token = token;
  }

  /**
   * Disarm the guard: disposing it no longer cancels the token. Returns the token (undefined
   * if it was disarmed already).
   */
  disarm(): CancellationToken | undefined {
    const token = this.#token;
    this.#token = undefined;
    return token;
  }

  /** Cancel the token, unless disarmed. Idempotent. */
  [Symbol.dispose](): void {
    const token = this.#token;
    this.#token = undefined;
    token?.cancel();
  }
}

/** @internal For leak tests: how many `fromSignal` tokens are attached to `signal`. Not exported from the package. */
export function signalTokenCount(signal: AbortSignal): number {
  return hubs.get(signal)?.links.size ?? 0;
}

/** @internal For leak tests: how many live links the token holds to children. Not exported from the package. */
export function childCount(token: CancellationToken): number {
  return childCountOf(token);
}

/** `token.cancelled()`: ready once the token is cancelled. */
class CancelledFuture extends ConditionWait<void> {
  constructor(
    private readonly token: CancellationToken,
    protected readonly waitList: WaitList,
  ) {
    super();
  }

  protected override isReady(): boolean {
    return this.token.isCancelled();
  }

  protected override output(): void {}

  /** A queued wait pins its token (see the header of the file). */
  override poll(cx: Context): Poll<void> {
    const queued = this.list !== undefined;
    const out = super.poll(cx);
    if (queued !== (this.list !== undefined)) {
      if (queued) unpin(this.token);
      else pin(this.token);
    }
    return out;
  }

  override cancel(): void {
    const queued = this.list !== undefined;
    super.cancel();
    if (queued) unpin(this.token);
  }
}

/**
 * Recount `signal`'s abort listeners whenever one is added or removed through its methods (the
 * `onabort` setter, `events.once`, `fetch` and `addAbortListener` all go through them): the
 * signal's own `addEventListener`/`removeEventListener`, calling the originals first.
 */
function watchListeners(signal: AbortSignal, token: CancellationToken): void {
  const wrap = (original: (...args: unknown[]) => void, added: boolean) => ({
    configurable: true,
    writable: true,
    value(this: AbortSignal, ...args: unknown[]): void {
      Reflect.apply(original, this, args);
      if (args[0] === "abort") listenersChanged(token, added);
    },
  });
  Object.defineProperties(signal, {
    addEventListener: wrap(signal.addEventListener as (...args: unknown[]) => void, true),
    removeEventListener: wrap(signal.removeEventListener as (...args: unknown[]) => void, false),
  });
}

/**
 * The array of the source that holds a pinned token whose link is `link` (see the header): its
 * parent's (`parent`), or its signal hub's; undefined for a token with no source (a root, or
 * detached or cancelled) or whose signal is gone.
 */
function sourcePinned(link: Link | undefined, parent: CancellationToken | undefined): CancellationToken[] | undefined {
  if (link instanceof ChildLink) return pinnedOf(parent!);
  return (link as SignalLink | undefined)?.hubRef.deref()?.pinned;
}

/**
 * `token.runUntilCancelled(body)`, with Tokio's fairness: a token already cancelled at the first
 * poll gives undefined at once (the body never runs); after that the body is polled first, so
 * when it completes in the same turn as the cancellation, its output wins — a value it has
 * already taken (a message received) is not dropped.
 */
class RunUntilCancelled<T> extends Future<T | undefined> {
  readonly #token: CancellationToken;
  readonly #cancelled: CancelledFuture;
  #body: Future<T> | undefined;
  #started = false;

  constructor(token: CancellationToken, body: Future<T>) {
    super();
    this.#token = token;
    this.#cancelled = token.cancelled() as CancelledFuture;
    this.#body = body;
  }

  override poll(cx: Context): Poll<T | undefined> {
    const body = this.#body;
    if (body === undefined) throw new Error("a runUntilCancelled future was polled after it completed or was dropped");
    if (!this.#started) {
      this.#started = true;
      if (this.#token.isCancelled()) return this.#drop(body);
    }
    let out: Poll<T>;
    try {
      out = body.poll(cx);
    } catch (error) {
      this.#body = undefined;
      this.#cancelled.cancel();
      throw error;
    }
    if (out !== Pending) {
      this.#body = undefined;
      this.#cancelled.cancel();
      return out;
    }
    // Checked directly rather than through the wait's poll, so a spent budget cannot let the
    // body run on after the token was cancelled.
    if (this.#token.isCancelled()) return this.#drop(body);
    this.#cancelled.poll(cx); // registers the wait (Pending: the token is not cancelled)
    return Pending;
  }

  #drop(body: Future<T>): undefined {
    this.#body = undefined;
    this.#cancelled.cancel();
    body.cancel();
    return undefined;
  }

  override cancel(): void {
    const body = this.#body;
    this.#body = undefined;
    this.#cancelled.cancel();
    body?.cancel();
  }
}
