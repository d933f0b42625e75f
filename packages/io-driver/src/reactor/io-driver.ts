/**
 * The I/O driver: the runtime's side of the reactor.
 *
 * HOW. On Node the host event loop (libuv) already watches the file descriptors, so the driver
 * has no poll loop of its own and never needs `park()`: a socket's events arrive as callbacks,
 * and the resource turns them into readiness on its {@link Registration}, which wakes the tasks
 * that wait. What the driver owns is the set of live registrations (an intrusive list, so
 * registering and deregistering allocate nothing beyond the registration) so that a runtime's
 * shutdown closes every socket it opened and wakes every task that waits on one, and so that an
 * idle runtime holds no host handle it does not need: a registration lives exactly as long as
 * its socket.
 */
import type { Driver, DriverHost } from "@tokio-ts/core";
import { LinkedList } from "@tokio-ts/core/collections";
import { Registration } from "./registration.js";

/**
 * The reactor of one runtime. Resources get it through `currentDriverHost(what).driver(IO)`
 * and register with {@link IoDriver.register}.
 *
 * @example
 * ```ts
 * import { IO } from "@tokio-ts/io-driver/driver";
 * const driver = currentDriverHost("MySource.open()").driver(IO);
 * const registration = driver.register(() => socket.destroy());
 * ```
 */
export class IoDriver implements Driver {
  /** The host's event loop delivers socket events; the driver never needs to be parked. */
  readonly parkOnIdle = false;
  readonly #registrations = new LinkedList<Registration>();
  readonly #host: DriverHost | undefined;
  #shutdown = false;

  /**
   * A reactor for `host` (the runtime, which `IO`'s driver key passes); without one (tests), it
   * tells nobody about host turns.
   *
   * @example
   * ```ts
   * const driver = new IoDriver();
   * ```
   */
  constructor(host?: DriverHost) {
    this.#host = host;
  }

  /**
   * A resource's callback runs from the host's event loop itself (a socket read completed, not a
   * microtask or `nextTick`): tell the runtime, so that the wake that follows runs in a
   * microtask rather than after the loop's other callbacks (`DriverHost.hostTurn`).
   *
   * @example
   * ```ts
   * driver.hostTurn();
   * registration.setReadiness(Ready.READABLE);
   * ```
   */
  hostTurn(): void {
    this.#host?.hostTurn?.();
  }

  /** How many resources are registered now (open sockets, listeners). */
  get registrationCount(): number {
    return this.#registrations.length;
  }

  /** Whether the runtime that owns this driver has shut down. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  /**
   * Register a resource. `onShutdown` runs if the runtime shuts down while the registration is
   * live: it should close the host handle (the registration then wakes every waiter, whose next
   * poll fails with the shutdown error).
   *
   * @example
   * ```ts
   * const registration = driver.register(() => socket.destroy());
   * socket.on("readable", () => registration.setReadiness(Ready.READABLE));
   * ```
   *
   * After the driver has shut down, the registration it returns is shut down already:
   * `onShutdown` runs at once, and every poll of it throws the shutdown ContextError.
   *
   * **Throws**: TypeError if `onShutdown` is neither a function nor undefined.
   */
  register(onShutdown?: () => void): Registration {
    // Checked here: a bad one would throw in the middle of shutdown and leave the registrations
    // after it without theirs.
    if (onShutdown !== undefined && typeof onShutdown !== "function") {
      throw new TypeError(`onShutdown must be a function or undefined, got ${onShutdown === null ? "null" : typeof onShutdown}`);
    }
    const registration = new Registration(this, onShutdown);
    if (this.#shutdown) {
      registration.markShutdown();
      return registration;
    }
    this.#registrations.pushBack(registration);
    return registration;
  }

  /** @internal Called by {@link Registration.deregister}. */
  unlink(registration: Registration): void {
    if (registration.list === this.#registrations) this.#registrations.remove(registration);
  }

  /** Close every registered resource and wake its waiters. Idempotent. */
  shutdown(): void {
    if (this.#shutdown) return;
    this.#shutdown = true;
    const list = this.#registrations;
    for (let r = list.popFront(); r !== undefined; r = list.popFront()) r.markShutdown();
  }
}
