/**
 * The load client of the network benchmarks, run in a process of its own so that it does not
 * share an event loop (or a core) with the server it measures. Plain `node:net`, so every server
 * is measured by the same client.
 *
 * `node load-client.js '<json options>'` prints one JSON line, a {@link LoadResult}:
 * - `reqresp`: `connections` sockets each send a `size`-byte request, wait for its full echo,
 *   record the round trip, and send the next, until `durationMs` has passed (after a warm-up
 *   of `warmupMs` that is not counted). Requests/s and latency percentiles.
 * - `bulk`: one socket writes `bytes` bytes in 64 KiB chunks as fast as the socket takes them
 *   (waiting for `drain`), while counting the echoed bytes; the time is from the first write
 *   to the last echoed byte. MB/s.
 *
 * It also reports its own CPU time over the measured window: a client near 100 % of a core is
 * the bottleneck, and the numbers then say more about it than about the server.
 */
import { connect, type Socket } from "node:net";

export interface LoadOptions {
  readonly mode: "reqresp" | "bulk";
  readonly port: number;
  readonly connections?: number;
  readonly size?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly bytes?: number;
}

export interface LoadResult {
  readonly mode: "reqresp" | "bulk";
  /** Round trips completed in the measured window (reqresp). */
  readonly requests: number;
  /** Bytes echoed back in the measured window. */
  readonly bytes: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly mbPerSecond: number;
  /** Latency percentiles in ms (reqresp). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The client's CPU time over the window, as a fraction of one core. */
  readonly clientCpu: number;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", noDelay: true });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function reqresp(o: LoadOptions): Promise<LoadResult> {
  const connections = o.connections ?? 50;
  const size = o.size ?? 64;
  const duration = o.durationMs ?? 5000;
  const warmup = o.warmupMs ?? 1000;
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(o.port)));
  const request = Buffer.alloc(size, 120);
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  let measuring = false;
  let stopped = false;
  const record = (ms: number) => {
    if (!measuring) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };
  const finished: Promise<void>[] = sockets.map(
    (s) =>
      new Promise<void>((resolve, reject) => {
        let got = 0;
        let sent = process.hrtime.bigint();
        s.on("data", (chunk: Buffer) => {
          got += chunk.length;
          while (got >= size) {
            got -= size;
            const now = process.hrtime.bigint();
            record(Number(now - sent) / 1e6);
            if (stopped) {
              s.destroy();
              resolve();
              return;
            }
            sent = now;
            s.write(request);
          }
        });
        s.on("error", reject);
        s.write(request);
      }),
  );
  await new Promise((r) => setTimeout(r, warmup));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, duration));
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  stopped = true;
  await Promise.all(finished);
  const sorted = latencies.subarray(0, count).sort();
  return {
    mode: "reqresp",
    requests: count,
    bytes: count * size,
    seconds,
    perSecond: count / seconds,
    mbPerSecond: (count * size) / seconds / 1e6,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

async function bulk(o: LoadOptions): Promise<LoadResult> {
  const total = o.bytes ?? 2 ** 30;
  const s = await open(o.port);
  const chunk = Buffer.alloc(64 * 1024, 121);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    s.on("data", (d: Buffer) => {
      received += d.length;
      if (received >= total) resolve();
    });
    s.on("error", reject);
    s.on("close", () => (received >= total ? resolve() : reject(new Error(`closed after ${received} of ${total} bytes`))));
  });
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          s.once("drain", pump);
          return;
        }
      }
      resolve();
    };
    pump();
  });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  s.destroy();
  return {
    mode: "bulk",
    requests: 0,
    bytes: received,
    seconds,
    perSecond: NaN,
    mbPerSecond: received / seconds / 1e6,
    p50: NaN,
    p99: NaN,
    max: NaN,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

const options = JSON.parse(process.argv[2] ?? "{}") as LoadOptions;
const result = options.mode === "bulk" ? await bulk(options) : await reqresp(options);
process.stdout.write(JSON.stringify(result) + "\n");
