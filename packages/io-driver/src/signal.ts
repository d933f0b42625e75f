/**
 * `ctrlC()` and `signal(kind)` (Tokio's `tokio::signal::ctrl_c` and
 * `tokio::signal::unix::signal`): futures that wait for a process signal.
 *
 * HOW. Node already turns signals into `process` events (libuv's signal handles), so there is
 * no driver: a module-level registry keeps, per signal name, one intrusive list of subscribers
 * and ONE `process` listener, installed when the list gains its first subscriber and removed
 * when it loses its last. A subscriber is a pending `ctrlC()` wait (from its first poll until
 * it fires or is dropped) or an open {@link Signal} (from its creation until `close()`). Join
 * and leave are O(1); a delivery walks the list once. Because the listener goes away with the
 * last subscriber, Node's default action for the signal (for SIGINT: exit) is back whenever
 * nothing waits for it — except for SIGPIPE, SIGXFSZ and SIGUSR1, whose listener stays (see
 * KEEP_LISTENING: libuv would restore SIG_DFL, which kills, where Node ignores them).
 *
 * A delivery first copies the list, then tells each subscriber that was in it: a waker run
 * during the walk may make subscribers join or leave (a ctrlC polled at once), and those
 * changes apply from the next delivery on, exactly as `process.emit` itself treats listeners
 * added or removed while it runs.
 *
 * States of a ctrlC wait (`CtrlC.#state`), changed only by its own poll and cancel and by
 * the SIGINT listener:
 *   IDLE ──first poll──→ WAITING ──SIGINT──→ FIRED ──poll──→ DONE
 *   WAITING ──cancel──→ DONE;  FIRED ──cancel──→ DONE;  IDLE ──cancel──→ DONE
 * It is subscribed exactly while WAITING: the listener unsubscribes it as it fires it, so a
 * fired wait holds no listener even if nobody polls it again. Only the poll that sees FIRED
 * resolves (spending budget); a poll of DONE throws.
 *
 * A Signal's state (`SignalState`): `delivered` is set by the listener and cleared by the
 * recv() that takes it, so deliveries between two recv() calls are coalesced into one (Tokio's
 * Signal keeps a version counter with the same effect); `closed` is set once by `close()`,
 * which also unsubscribes and wakes every pending recv(). Pending recv() futures wait in the
 * Signal's own intrusive list. A delivery wakes all of them and leaves them in place: the first
 * to be polled takes it, the others find nothing and wait on. Waking only one would lose the
 * delivery's wake-up if that one were dropped before its poll.
 *
 * The process listener carries the flag `SIGNAL_LISTENER` (a `Symbol.for` key, so no
 * import is needed to read it): `main()` of `@tokio-ts/macros` looks for it, and leaves a signal
 * to the program while one of these waits listens to it.
 */
import { constants } from "node:os";
import { Future, madeProgress, Pending, pollProceed, type Context, type Poll, type Waker } from "@tokio-ts/core";
import { LinkedList, type ListNode } from "@tokio-ts/core/collections";

/**
 * The name of a process signal, as Node names them (`os.constants.signals`): the common ones
 * are listed for completion, and any other name of the platform is accepted too. It is checked
 * when {@link signal} is called.
 *
 * @example
 * ```ts
 * const kind: SignalKind = "SIGHUP"; // Tokio's SignalKind::hangup()
 * using reload = signal(kind);
 * ```
 */
export type SignalKind =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "SIGUSR1"
  | "SIGUSR2"
  | "SIGQUIT"
  | "SIGPIPE"
  | "SIGALRM"
  | "SIGCHLD"
  | "SIGWINCH"
  | "SIGCONT"
  | "SIGTSTP"
  | "SIGTTIN"
  | "SIGTTOU"
  | (string & {});

// ─── the registry: one process listener per signal name ─────────────────────────────────────

/**
 * The flag on the process listener of a signal that a `ctrlC()` wait or an open `signal()`
 * listens to. `main()` in `@tokio-ts/macros` reads it through `Symbol.for`: it stays out of
 * the way of a program that waits for the signal itself.
 */
const SIGNAL_LISTENER: unique symbol = Symbol.for("tokio-ts.signal-listener") as never;

/** Something that wants to hear of a signal: a pending ctrlC wait, or an open Signal. */
class Subscriber implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;

  constructor(readonly deliver: () => void) {}
}

/** The subscribers of one signal name, and the process listener that tells them. */
class Subscribers extends LinkedList<Subscriber> {
  readonly handler = (): void => {
    const targets: Subscriber[] = [];
    for (let s = this.head; s !== undefined; s = s.listNext as Subscriber | undefined) targets.push(s);
    for (const s of targets) if (s.list === this) s.deliver(); // not if it left during the walk
  };

  constructor(readonly kind: string) {
    super();
    (this.handler as { [SIGNAL_LISTENER]?: true })[SIGNAL_LISTENER] = true;
  }
}

/** Signal name → its subscribers; an entry exists exactly while its process listener is on. */
const registry = new Map<string, Subscribers>();

/**
 * Subscribe `sub` to `kind`, installing the process listener if it is the first. Throws (and
 * subscribes nothing) if Node refuses to listen to `kind`.
 */
function subscribe(kind: string, sub: Subscriber): void {
  let subs = registry.get(kind);
  if (subs === undefined) {
    subs = new Subscribers(kind);
    try {
      process.on(kind as NodeJS.Signals, subs.handler);
    } catch (cause) {
      // libuv cannot watch it here (uv_signal_start EINVAL: a name this platform lists but
      // cannot catch). Node did not add the listener: nothing to undo.
      throw new RangeError(`kind: this platform cannot listen to ${kind} (${(cause as Error)?.message ?? String(cause)})`, { cause });
    }
    registry.set(kind, subs);
  }
  subs.pushBack(sub);
}

/**
 * Signals whose disposition in Node is not the operating system's default: Node ignores SIGPIPE
 * and SIGXFSZ, and SIGUSR1 starts its inspector. When the last listener of a signal goes, libuv
 * resets the signal to the OS default (SIG_DFL), which for these kills the process. So once
 * listened to, these keep their (idle) listener for the life of the process — as Tokio never
 * uninstalls a signal handler: a later delivery is then ignored.
 */
const KEEP_LISTENING = new Set(["SIGPIPE", "SIGXFSZ", "SIGUSR1"]);

/**
 * Unsubscribe `sub` if it is subscribed, removing the process listener with the last one (not
 * for {@link KEEP_LISTENING}).
 */
function unsubscribe(sub: Subscriber): void {
  const subs = sub.list as Subscribers | undefined;
  if (subs === undefined) return;
  subs.remove(sub);
  if (subs.isEmpty() && !KEEP_LISTENING.has(subs.kind)) {
    registry.delete(subs.kind);
    process.off(subs.kind as NodeJS.Signals, subs.handler);
  }
}

// ─── ctrlC ───────────────────────────────────────────────────────────────────────────────────

const IDLE = 0;
const WAITING = 1;
const FIRED = 2;
const DONE = 3;

/**
 * The future of {@link ctrlC}: resolves at the first SIGINT delivered after its first poll.
 *
 * @example
 * ```ts
 * const interrupted: CtrlC = ctrlC();
 * yield* interrupted;
 * ```
 */
export class CtrlC extends Future<void> {
  #state = IDLE;
  #waker: Waker | undefined = undefined;
  #sub: Subscriber | undefined = undefined;

  /** @hidden Use {@link ctrlC}. */
  constructor() {
    super();
  }

  override poll(cx: Context): Poll<void> {
    switch (this.#state) {
      case IDLE:
        // Subscribe before any budget check: from its first poll on, a SIGINT is this wait's,
        // also while its task is yielding because the budget ran out.
        this.#sub = new Subscriber(() => this.#fire());
        subscribe("SIGINT", this.#sub);
        this.#state = WAITING;
        this.#waker = cx.waker;
        return Pending;
      case WAITING:
        this.#waker = cx.waker;
        return Pending;
      case FIRED:
        if (!pollProceed(cx)) return Pending;
        this.#state = DONE;
        madeProgress(cx);
        return undefined;
      default:
        throw new Error("a ctrlC future was polled after it completed or was dropped: call ctrlC() again");
    }
  }

  /** Drop the wait: its listener goes (Node's default SIGINT action is back if it was the last). */
  override cancel(): void {
    if (this.#state === WAITING) unsubscribe(this.#sub!);
    this.#state = DONE;
    this.#waker = undefined;
    this.#sub = undefined;
  }

  /** Called by the SIGINT listener while WAITING. */
  #fire(): void {
    this.#state = FIRED;
    unsubscribe(this.#sub!);
    this.#sub = undefined;
    const waker = this.#waker;
    this.#waker = undefined;
    waker?.wake();
  }
}

/**
 * Wait for Ctrl-C (Tokio's `signal::ctrl_c`): resolves at the first SIGINT delivered after the
 * future's first poll.
 *
 * The future is lazy: creating it listens to nothing. Its first poll adds a SIGINT listener
 * (every pending `ctrlC()` shares one, and one SIGINT resolves all of them), and the listener
 * goes as soon as it has fired or when the future is dropped — a `select` loser, a `timeout`,
 * an aborted task. Works without a runtime (`await ctrlC()` from any async function) and in
 * one (`yield* ctrlC()`), where it takes part in the cooperative budget.
 *
 * Unlike Tokio, the default handler comes back. Tokio replaces the default SIGINT action for
 * good at the first `ctrl_c()`; here Node's default (exit) is back whenever no `ctrlC()` wait is
 * pending and no {@link Signal} for SIGINT is open. A Ctrl-C that arrives between two waits
 * (while the loop body runs) therefore ends the process. To catch every Ctrl-C, keep a
 * `signal("SIGINT")` open and loop on its `recv()`. The same goes for a graceful shutdown
 * that Tokio's examples start with `select!` on `ctrl_c()`: once that `ctrlC()` has resolved, a
 * second Ctrl-C during the shutdown is no longer ignored (under `main()` it exits with 130);
 * keep a `signal("SIGINT")` open until the shutdown is over to ignore it, as Tokio does.
 *
 * Node's signal listeners do not keep the event loop alive (libuv's signal handles are
 * unreferenced): a program whose only work is waiting for Ctrl-C ends at once, with its wait
 * still pending — a top-level `await ctrlC()` exits with Node's code 13 (unsettled top-level
 * await), and `main()` of `@tokio-ts/macros` reports its body as a deadlock (exit code 1).
 * Something else must hold the process: a server, a timer. `main()` leaves a signal to the
 * program while a `ctrlC()` or `signal()` waits for it, so a `main` body waiting in `ctrlC()`
 * gets the Ctrl-C and goes on, as in Tokio; a Ctrl-C while no wait is pending is `main`'s (it
 * cancels the body, exit code 130).
 *
 * @example
 * ```ts
 * import { ctrlC } from "@tokio-ts/io-driver";
 *
 * const server = http.createServer(handler).listen(8080); // keeps the process alive
 * await ctrlC();
 * console.log("shutting down");
 * server.close();
 * ```
 *
 * **Cancel safety**: cancel safe. A pending wait that is dropped removes its listener and takes
 * nothing from the other waits; a SIGINT that arrives while no wait is pending is not kept for
 * the next one (it takes Node's default action instead).
 *
 * **Throws**: nothing at the call. A poll after the future resolved or was dropped throws an
 * Error (make a new `ctrlC()` for each wait). Inside a runtime, the task's abort rejects an
 * async body's `await` with `CancelledError`, as for any future.
 */
export function ctrlC(): CtrlC {
  return new CtrlC();
}

// ─── signal(kind) ────────────────────────────────────────────────────────────────────────────

/**
 * Signals a program cannot (SIGKILL, SIGSTOP: libuv refuses them) or must not listen to:
 * SIGSEGV, SIGBUS, SIGFPE and SIGILL leave the process in a state where running JavaScript is
 * not safe (Node's docs on signal events); Tokio's `signal` refuses its FORBIDDEN set
 * (SIGILL, SIGFPE, SIGKILL, SIGSEGV, SIGSTOP) likewise.
 */
const FORBIDDEN: ReadonlySet<string> = new Set(["SIGKILL", "SIGSTOP", "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL"]);

function checkKind(kind: unknown): asserts kind is SignalKind {
  if (typeof kind !== "string") {
    const got = kind === null ? "null" : typeof kind === "number" ? `number ${kind} (pass the name, such as "SIGHUP")` : typeof kind;
    throw new TypeError(`kind must be a signal name such as "SIGHUP", got ${got}`);
  }
  const shown = JSON.stringify(kind.length > 20 ? kind.slice(0, 20) + "…" : kind);
  if (!Object.hasOwn(constants.signals, kind)) {
    throw new RangeError(`kind must be a signal name of this platform (a key of os.constants.signals, such as "SIGHUP"), got ${shown}`);
  }
  if (FORBIDDEN.has(kind)) {
    throw new RangeError(`kind ${shown} cannot be listened to: SIGKILL and SIGSTOP cannot be caught, and after SIGSEGV, SIGBUS, SIGFPE or SIGILL running JavaScript is not safe`);
  }
}

/** What a {@link Signal} and its recv() futures share. */
class SignalState {
  /** A delivery since the last recv() took one (coalesced). Cleared by the recv() that takes it. */
  delivered = false;
  /** Set once by close(); from then on every recv() resolves `undefined`. */
  closed = false;
  /** The pending recv() futures. */
  readonly waiters = new LinkedList<Recv>();
  readonly sub = new Subscriber(() => this.deliver());

  deliver(): void {
    this.delivered = true;
    for (let w = this.waiters.head, next; w !== undefined; w = next) {
      next = w.listNext as Recv | undefined;
      w.wake();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.delivered = false;
    unsubscribe(this.sub);
    for (let w = this.waiters.popFront(); w !== undefined; w = this.waiters.popFront()) w.wake();
  }
}

/** The future of `Signal.recv()`. */
class Recv extends Future<true | undefined> implements ListNode {
  listPrev: ListNode | undefined = undefined;
  listNext: ListNode | undefined = undefined;
  list: LinkedList<ListNode> | undefined = undefined;
  readonly #state: SignalState;
  #waker: Waker | undefined = undefined;
  #done = false;

  constructor(state: SignalState) {
    super();
    this.#state = state;
  }

  override poll(cx: Context): Poll<true | undefined> {
    if (this.#done) throw new Error("a signal recv() future was polled after it completed or was dropped: call recv() again");
    // The Signal listens whether or not a recv() is pending, so yielding here loses nothing.
    if (!pollProceed(cx)) return Pending;
    const state = this.#state;
    let out: true | undefined;
    if (state.closed) out = undefined;
    else if (state.delivered) {
      state.delivered = false;
      out = true;
    } else {
      this.#waker = cx.waker;
      if (this.list === undefined) state.waiters.pushBack(this);
      return Pending;
    }
    this.#done = true;
    this.#waker = undefined;
    state.waiters.remove(this);
    madeProgress(cx);
    return out;
  }

  /** Drop: leave the waiters in O(1). A delivery it was woken for stays for the next recv(). */
  override cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#waker = undefined;
    this.#state.waiters.remove(this);
  }

  /** @internal Called by the Signal on a delivery or close. */
  wake(): void {
    this.#waker?.wake();
  }
}

/**
 * A listener for one process signal (Tokio's `tokio::signal::unix::Signal`). Get one with
 * {@link signal}; wait with `recv()` or `for await`; `close()` it (or `using`) when done.
 *
 * It listens from its creation until `close()`: a delivery that arrives while no `recv()` is
 * pending is kept for the next one, and several such deliveries are coalesced into one.
 *
 * @example
 * ```ts
 * using hup = signal("SIGHUP");
 * while ((yield* hup.recv()) !== undefined) reloadConfig();
 * ```
 */
export class Signal implements AsyncIterable<true>, Disposable {
  /** The signal this listens to. */
  readonly kind: SignalKind;
  readonly #state = new SignalState();

  /** @hidden Use {@link signal}. */
  constructor(kind: SignalKind) {
    checkKind(kind);
    this.kind = kind;
    subscribe(kind, this.#state.sub);
  }

  /**
   * The next delivery: resolves with `true` at the next delivery of the signal (at once if one
   * arrived since the last `recv()` took one; several are coalesced into one), or with
   * `undefined` once the Signal is closed.
   *
   * @example
   * ```ts
   * using usr2 = signal("SIGUSR2");
   * // A signal listener does not keep Node running: hold the process until the signal comes.
   * const alive = setInterval(() => {}, 60_000);
   * process.kill(process.pid, "SIGUSR2");
   * await usr2.recv(); // true
   * clearInterval(alive);
   * ```
   *
   * **Cancel safety**: cancel safe. A `recv()` dropped while pending (a `select` loser, a
   * `timeout`) takes no delivery: the next `recv()` gets it.
   *
   * **Throws**: nothing at the call. A poll after the future resolved or was dropped throws an
   * Error (call `recv()` again for each wait).
   */
  recv(): Future<true | undefined> {
    return new Recv(this.#state);
  }

  /**
   * Stop listening: removes the process listener (Node's default action for the signal is back
   * if nothing else listens to it), and every pending and later `recv()` resolves `undefined`.
   * A delivery not yet taken is discarded. Idempotent. For SIGPIPE, SIGXFSZ and SIGUSR1 the
   * listener stays, idle: removing the last one makes libuv restore the operating system's
   * default, which kills the process, where Node ignores them (SIGUSR1: starts its inspector).
   * A later one is ignored, as after a Tokio `Signal` is dropped.
   *
   * @example
   * ```ts
   * const hup = signal("SIGHUP");
   * hup.close();
   * await hup.recv(); // undefined
   * ```
   */
  close(): void {
    this.#state.close();
  }

  /** Whether {@link close} was called. */
  isClosed(): boolean {
    return this.#state.closed;
  }

  /** `using sig = signal("SIGHUP")`: close at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * `for await (const _ of sig)`: one step per delivery (coalesced as for `recv()`), until the
   * Signal is closed. Each `next()` is one `recv()` awaited by the loop: a loop whose task is
   * aborted takes no delivery. To race a wait for the signal against something else, give
   * `recv()` itself to `select` or `timeout`: a `next()` is a promise, which cannot be dropped. Breaking out of the loop
   * does not close the Signal.
   */
  [Symbol.asyncIterator](): AsyncIterator<true, undefined> {
    // Not an async generator: a rejection of one pending `next()` (CancelledError, when the
    // future awaiting it is dropped) would end a generator for good.
    return {
      next: (): Promise<IteratorResult<true, undefined>> =>
        this.recv().then((got): IteratorResult<true, undefined> => (got === undefined ? { done: true, value: undefined } : { done: false, value: true })),
    };
  }
}

/**
 * Listen for a process signal (Tokio's `tokio::signal::unix::signal`): a {@link Signal} whose
 * `recv()` resolves at each delivery, until it is closed.
 *
 * The listener is added at this call, not at the first `recv()` (as in Tokio: deliveries
 * between two `recv()` calls are not lost), and stays until `close()` or the end of a `using`
 * scope. While it is open, Node's default action for the signal (exit, for most) does not
 * happen. Every Signal and `ctrlC()` wait for one name shares one `process` listener. Works
 * with or without a runtime.
 *
 * `kind` is Node's name of the signal. SIGUSR1 starts Node's inspector by default; listening to
 * it works but takes that away for the rest of the process (see {@link Signal.close}). Node's signal listeners do not keep the event loop alive:
 * something else (a server, a timer) must, or the program ends with its `recv()` pending.
 *
 * @example
 * ```ts
 * import { signal } from "@tokio-ts/io-driver";
 *
 * using hup = signal("SIGHUP"); // Tokio: signal(SignalKind::hangup())
 * for await (const _ of hup) reloadConfig();
 * ```
 *
 * **Throws**: TypeError if `kind` is not a string; RangeError, naming `kind` and the value, for
 * a name that is not in `os.constants.signals`, for SIGKILL and SIGSTOP (they cannot be
 * caught), for SIGSEGV, SIGBUS, SIGFPE and SIGILL (not safe to handle in JavaScript; Tokio
 * refuses SIGSEGV, SIGFPE and SIGILL too, but not SIGBUS), and for a name this platform lists
 * but cannot listen to.
 */
export function signal(kind: SignalKind): Signal {
  return new Signal(kind);
}
