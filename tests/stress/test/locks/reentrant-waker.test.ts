// The primitives under an executor whose wake() polls the woken task at once (allowed by the
// Waker contract: "It may run code at once — an executor of one's own may poll the woken
// future from inside wake() — … must expect the woken side to call back into it (the tokio-ts
// primitives do)"). Everything is synchronous and seeded.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Context, Future, fromGenerator, Pending, type Poll, type Waker } from "@tokio-ts/core";
import { SeededRng } from "@tokio-ts/test-util";
import { Barrier, Mutex, Notify, RwLock, Semaphore, SemaphorePermit } from "@tokio-ts/sync";

/** A task of the synchronous executor: wake() polls it at once (or right after its own poll). */
class SyncTask<T> implements Waker {
  readonly cx: Context;
  done = false;
  dropped = false;
  #polling = false;
  #again = false;
  constructor(
    readonly fut: Future<T>,
    readonly onDone: (v: T) => void = () => {},
  ) {
    this.cx = new Context(this);
  }
  wake(): void {
    if (this.done || this.dropped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.run();
  }
  run(): void {
    if (this.done || this.dropped) return;
    this.#polling = true;
    try {
      do {
        this.#again = false;
        this.cx.budget = Infinity;
        const out: Poll<T> = this.fut.poll(this.cx);
        if (out !== Pending) {
          this.done = true;
          this.onDone(out);
          return;
        }
      } while (this.#again);
    } finally {
      this.#polling = false;
    }
  }
  drop(): void {
    if (this.done || this.dropped) return;
    this.dropped = true;
    this.fut.cancel();
  }
}

/** A future the driver completes by hand (a stand-in for a timer). */
class Gate extends Future<void> {
  open = false;
  waker: Waker | undefined;
  override poll(cx: Context): Poll<void> {
    if (this.open) return undefined;
    this.waker = cx.waker;
    return Pending;
  }
  fire(): void {
    this.open = true;
    const w = this.waker;
    this.waker = undefined;
    w?.wake();
  }
}

test("semaphore under a re-entrant executor: never over-granted, permits conserved, drops hand permits on", () => {
  for (let seed = 0; seed < 1500; seed++) {
    const rng = new SeededRng(seed);
    const total = rng.between(1, 5);
    const sem = new Semaphore(total);
    let held = 0;
    const gates: Gate[] = [];
    const tasks: SyncTask<void>[] = [];
    const nTasks = rng.between(2, 8);
    for (let t = 0; t < nTasks; t++) {
      const plan = Array.from({ length: rng.between(1, 4) }, () => ({ k: rng.between(1, total), park: rng.below(2) === 0, reacq: rng.below(3) === 0 }));
      const task = new SyncTask(
        fromGenerator(function* () {
          for (const s of plan) {
            const p: SemaphorePermit = yield* sem.acquireMany(s.k);
            held += s.k;
            if (held > total) throw new Error(`seed ${seed}: held ${held} > ${total}`);
            try {
              if (s.park) {
                const g = new Gate();
                gates.push(g);
                yield* g;
              }
            } finally {
              held -= s.k;
              p.release();
            }
            // release → grants the next waiter, whose task runs inside this call; then maybe
            // at once queue again (a nested acquire while the outer release loop is running).
            if (s.reacq) {
              const q = yield* sem.acquire();
              held += 1;
              if (held > total) throw new Error(`seed ${seed}: held ${held} > ${total} (reacquire)`);
              held -= 1;
              q.release();
            }
          }
        }),
      );
      tasks.push(task);
    }
    for (const t of tasks) t.run();
    for (let step = 0; step < 200; step++) {
      const live = gates.filter((g) => !g.open);
      const r = rng.below(4);
      if (r < 3 && live.length) live[rng.below(live.length)]!.fire();
      else if (r === 3) {
        const alive = tasks.filter((t) => !t.done && !t.dropped);
        if (alive.length) alive[rng.below(alive.length)]!.drop();
      }
      if (tasks.every((t) => t.done || t.dropped)) break;
    }
    // Open every remaining gate; all tasks must end.
    for (let i = 0; i < 1000 && gates.some((g) => !g.open); i++) for (const g of gates) if (!g.open) g.fire();
    assert.ok(tasks.every((t) => t.done || t.dropped), `seed ${seed}: a task never finished (available ${sem.availablePermits()}/${total})`);
    assert.is(held, 0);
    assert.is(sem.availablePermits(), total, `seed ${seed}: permits conserved`);
  }
});

test("mutex and rwlock under a re-entrant executor: exclusion holds, nothing leaks", () => {
  for (let seed = 0; seed < 1000; seed++) {
    const rng = new SeededRng(seed + 9000);
    const m = new Mutex(0);
    const lock = new RwLock(0, rng.between(1, 3));
    let inM = 0;
    let readers = 0;
    let writers = 0;
    const gates: Gate[] = [];
    const tasks: SyncTask<void>[] = [];
    for (let t = 0; t < rng.between(2, 8); t++) {
      const plan = Array.from({ length: rng.between(1, 4) }, () => ({ which: rng.below(3), park: rng.below(2) === 0 }));
      tasks.push(
        new SyncTask(
          fromGenerator(function* () {
            for (const s of plan) {
              const park = function* () {
                if (!s.park) return;
                const g = new Gate();
                gates.push(g);
                yield* g;
              };
              if (s.which === 0) {
                const g = yield* m.lock();
                inM++;
                if (inM > 1) throw new Error(`seed ${seed}: two mutex holders`);
                try {
                  yield* park();
                } finally {
                  inM--;
                  g.release();
                }
              } else if (s.which === 1) {
                const r = yield* lock.read();
                readers++;
                if (writers > 0 || readers > lock.maxReaders) throw new Error(`seed ${seed}: reader with ${writers} writers / ${readers} readers`);
                try {
                  yield* park();
                } finally {
                  readers--;
                  r.release();
                }
              } else {
                const w = yield* lock.write();
                writers++;
                if (writers > 1 || readers > 0) throw new Error(`seed ${seed}: writer with ${writers} writers / ${readers} readers`);
                let r;
                try {
                  yield* park();
                  writers--;
                  r = w.downgrade();
                  readers++;
                  if (readers > lock.maxReaders) throw new Error(`seed ${seed}: too many readers after downgrade`);
                  yield* park();
                } finally {
                  if (r === undefined) writers--;
                  else readers--;
                  w.release();
                  r?.release();
                }
              }
            }
          }),
        ),
      );
    }
    for (const t of tasks) t.run();
    for (let step = 0; step < 200; step++) {
      const live = gates.filter((g) => !g.open);
      const r = rng.below(4);
      if (r < 3 && live.length) live[rng.below(live.length)]!.fire();
      else if (r === 3) {
        const alive = tasks.filter((t) => !t.done && !t.dropped);
        if (alive.length) alive[rng.below(alive.length)]!.drop();
      }
    }
    for (let i = 0; i < 1000 && gates.some((g) => !g.open); i++) for (const g of gates) if (!g.open) g.fire();
    assert.ok(tasks.every((t) => t.done || t.dropped), `seed ${seed}: a task never finished`);
    assert.ok(!m.isLocked(), `seed ${seed}: mutex leaked`);
    const w = lock.tryWrite();
    assert.ok(w.ok, `seed ${seed}: rwlock leaked`);
  }
});

test("barrier under a re-entrant executor: a woken follower that waits again joins the next generation", () => {
  for (let seed = 0; seed < 500; seed++) {
    const rng = new SeededRng(seed + 4242);
    const n = rng.between(1, 4);
    const b = new Barrier(n);
    const rounds = rng.between(1, 4);
    let leaders = 0;
    const tasks = Array.from({ length: n }, () =>
      new SyncTask(
        fromGenerator(function* () {
          for (let r = 0; r < rounds; r++) if ((yield* b.wait()).isLeader) leaders++;
        }),
      ),
    );
    rng.shuffle(tasks);
    for (const t of tasks) t.run();
    assert.ok(tasks.every((t) => t.done), `seed ${seed}: barrier tasks stuck, waiting ${b.waiting()}`);
    assert.is(leaders, rounds, `seed ${seed}: one leader per generation`);
    assert.is(b.waiting(), 0);
  }
});

test("notify: a notifyOne() made by a waker while notifyWaiters() is waking is stored, not absorbed (Tokio: waiters are moved out first)", () => {
  const notify = new Notify();
  const a = notify.notified();
  const b = notify.notified();
  let reacted = false;
  const cxA = new Context({ wake() { if (!reacted) { reacted = true; notify.notifyOne(); } } });
  const cxB = new Context({ wake() {} });
  assert.is(a.poll(cxA), Pending);
  assert.is(b.poll(cxB), Pending);
  notify.notifyWaiters();
  assert.is.not(a.poll(cxA), Pending);
  assert.is.not(b.poll(cxB), Pending);
  const c = notify.notified();
  assert.ok(c.enable(), "the permit of the notifyOne() is stored for the next notified()");
});

test.run();
