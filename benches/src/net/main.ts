/**
 * `node benches/dist/src/net/main.js`: the network benchmarks of issue 7, written to
 * `benches/results/net.md` (and the raw numbers to `benches/results/net.json`).
 *
 * 1. Echo request/response: 50 connections × 64-byte request, each waiting for its echo before
 *    the next, for a fixed time — the tokio-ts echo server (examples/echo-server, `--serve`) vs
 *    `node:net` with `socket.pipe(socket)` and with a hand-written read/write loop; and, as
 *    context (not a peer), a server on the raw libuv handles under `net.Socket`, the floor for
 *    JavaScript on Node.
 * 2. Echo bulk: 1 GiB through one connection, same four servers.
 * 3. mini-redis (examples/mini-redis) vs the real `redis-server` under
 *    `redis-benchmark -t set,get -n 200000 -c 50`, without and with `-P 16`.
 *
 * Every server runs in a process of its own, and so does the load client, so that neither
 * shares an event loop with what it measures; the machine has 2 cores, one for each. The load
 * client is native (benches/native/echo-load.c, built here with `cc`) when a C compiler is
 * there, else load-client.ts (`BENCH_NET_CLIENT=node` forces it): the Node client saturates its
 * core before any server does, and then measures itself. The CPU time of the server and of the
 * client over each run is reported: a client at ~100 % of its core would be the bottleneck. Rounds alternate between servers (A B C A B C …)
 * so that a slow spell of the machine does not land on one server only; the best round is
 * reported (see {@link best}), every round listed.
 *
 * `--svg-only` redraws `benches/results/net.svg` (the ratios as a bar chart) from net.json without
 * measuring.
 *
 * Environment: `BENCH_NET_SECONDS` (measured seconds per request/response round, default 5),
 * `BENCH_NET_ROUNDS` (default 5), `BENCH_NET_BULK_MIB` (default 1024), `BENCH_NET_REDIS_N`
 * (default 200000). Needs the examples built (`npx tsc -b examples/echo-server
 * examples/mini-redis benches`) and redis-server / redis-benchmark on PATH.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "../format.js";
import type { LoadOptions, LoadResult } from "./load-client.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const LOAD_CLIENT = fileURLToPath(new URL("./load-client.js", import.meta.url));
const NODE_SERVERS = fileURLToPath(new URL("./node-servers.js", import.meta.url));
const ECHO_MAIN = `${ROOT}examples/echo-server/dist/src/main.js`;
const REDIS_MAIN = `${ROOT}examples/mini-redis/dist/src/main.js`;
const SECONDS = Number(process.env.BENCH_NET_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_NET_ROUNDS ?? 5);
const BULK_BYTES = Number(process.env.BENCH_NET_BULK_MIB ?? 1024) * 2 ** 20;
const REDIS_N = Number(process.env.BENCH_NET_REDIS_N ?? 200_000);
const CLOCK_TICKS = 100; // USER_HZ on Linux
const LOAD_START = loadavg().map((l) => l.toFixed(2)).join(" ");
const NATIVE_SOURCE = `${ROOT}benches/native/echo-load.c`;
const NATIVE_CLIENT = fileURLToPath(new URL("./echo-load", import.meta.url));
/**
 * The native load client, built now; undefined (the Node client) without a C compiler, and
 * when only redrawing the chart.
 */
const NATIVE = process.argv.includes("--svg-only") ? undefined : buildNativeClient();

function buildNativeClient(): string | undefined {
  if (process.env.BENCH_NET_CLIENT === "node") return undefined;
  const built = spawnSync("cc", ["-O2", "-o", NATIVE_CLIENT, NATIVE_SOURCE], { encoding: "utf8" });
  if (built.status === 0) return NATIVE_CLIENT;
  console.log(`no native load client (${built.error?.message ?? built.stderr.trim()}): using load-client.ts`);
  return undefined;
}

interface Server {
  readonly port: number;
  readonly child: ChildProcess;
}

interface EchoServerKind {
  readonly name: string;
  readonly command: readonly string[];
}

/** Context, not a peer: libuv's TCP handles driven directly (see node-servers.ts, `raw`). */
const RAW_SERVER = "raw libuv handle, no net.Socket (context)";

const ECHO_SERVERS: readonly EchoServerKind[] = [
  { name: "tokio-ts echo server", command: [process.execPath, ECHO_MAIN, "--serve", "--port", "0"] },
  { name: "node:net socket.pipe(socket)", command: [process.execPath, NODE_SERVERS, "pipe"] },
  { name: "node:net read/write loop", command: [process.execPath, NODE_SERVERS, "loop"] },
  { name: RAW_SERVER, command: [process.execPath, NODE_SERVERS, "raw"] },
];

/** The `node:net` rows: the peers every echo ratio is taken against (not tokio-ts, not the raw floor). */
function nodeNetRows(echo: readonly EchoRow[]): EchoRow[] {
  return echo.filter((r) => r.server.startsWith("node:net"));
}

/**
 * `command` pinned to one core with `taskset` when there is one: the server on core 0, the
 * load client on core 1. Unpinned, Linux now and then puts both on one core, which halves a
 * round's throughput (a mode seen in about one round in three here).
 */
const TASKSET = spawnSync("taskset", ["-c", "0", "true"]).status === 0 && cpus().length >= 2;
function pinned(core: number, command: readonly string[]): string[] {
  return TASKSET ? ["taskset", "-c", String(core), ...command] : [...command];
}

/** Start a server process and wait for its "listening on 127.0.0.1:<port>" line. */
async function startServer(unpinned: readonly string[], port?: number): Promise<Server> {
  const command = pinned(0, unpinned);
  const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  if (port !== undefined) {
    await waitForPort(port);
    return { port, child };
  }
  let out = "";
  const found = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${command.join(" ")} exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  return { port: found, child };
}

async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await done;
}

/** A port nobody listens on now (for redis-server, which needs one given). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (addr !== null && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(true)); // in use: the server is up
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** The machine's idle and total CPU ticks so far (first line of /proc/stat). */
function machineTicks(): { idle: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((a, b) => a + b, 0) };
}

let quietWaits = 0;
let noisyRounds = 0;

/**
 * Wait (up to a minute) until the machine is idle — at least 90 % of its CPU free over half a
 * second — so that a round does not run beside another process's burst. The machine is shared
 * and has 2 cores: the server and the load client need one each.
 */
async function waitForQuiet(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 500));
    const b = machineTicks();
    if ((b.idle - a.idle) / Math.max(1, b.total - a.total) >= 0.9) return;
    quietWaits++;
  }
  noisyRounds++;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function execText(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

interface Measured<T> {
  readonly result: T;
  /** The server's CPU over the run, as a fraction of one core. */
  readonly serverCpu: number;
  /** Wall time of the run (the load client's whole process). */
  readonly seconds: number;
}

/** Run `work` while measuring the server's CPU time. */
async function measure<T>(server: Server, work: () => Promise<T>): Promise<Measured<T>> {
  const cpu0 = cpuSeconds(server.child.pid!);
  const t0 = performance.now();
  const result = await work();
  const seconds = (performance.now() - t0) / 1000;
  return { result, seconds, serverCpu: (cpuSeconds(server.child.pid!) - cpu0) / seconds };
}

async function load(options: LoadOptions): Promise<LoadResult> {
  const client =
    NATIVE === undefined
      ? [process.execPath, LOAD_CLIENT, JSON.stringify(options)]
      : options.mode === "bulk"
        ? [NATIVE, "bulk", String(options.port), String(options.bytes)]
        : [NATIVE, "reqresp", String(options.port), String(options.connections), String(options.size), String(options.durationMs), String(options.warmupMs)];
  const [command, ...args] = pinned(1, client);
  return JSON.parse(await execText(command!, args)) as LoadResult;
}

/**
 * The best round (highest `key`). The bench machine is shared and has 2 cores: another process
 * can only slow a round down, never speed it up, so the best round is the least disturbed one.
 * Every round is listed next to it.
 */
function best<T>(values: readonly T[], key: (v: T) => number): T {
  return values.reduce((a, b) => (key(b) > key(a) ? b : a));
}

interface EchoRow {
  readonly server: string;
  readonly reqresp: Measured<LoadResult>;
  readonly bulk: Measured<LoadResult>;
  /** Every round's measure, in order (p99 absent from results saved before it was kept). */
  readonly rounds: { reqresp: number[]; bulk: number[]; p99?: number[] };
}

async function echoBenchmarks(): Promise<EchoRow[]> {
  const reqresp = new Map<string, Measured<LoadResult>[]>();
  const bulk = new Map<string, Measured<LoadResult>[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ECHO_SERVERS) {
      await waitForQuiet();
      const server = await startServer(kind.command);
      try {
        const r = await measure(server, () =>
          load({ mode: "reqresp", port: server.port, connections: 50, size: 64, durationMs: SECONDS * 1000, warmupMs: 1000 }),
        );
        push(reqresp, kind.name, r);
        const b = await measure(server, () => load({ mode: "bulk", port: server.port, bytes: BULK_BYTES }));
        push(bulk, kind.name, b);
        console.log(
          `round ${round + 1} ${kind.name}: ${(r.result.perSecond / 1000).toFixed(1)}k req/s p99 ${r.result.p99.toFixed(3)} ms ` +
            `(server CPU ${pct(r.serverCpu)}, client ${pct(r.result.clientCpu)}); ` +
            `bulk ${b.result.mbPerSecond.toFixed(0)} MB/s (server ${pct(b.serverCpu)}, client ${pct(b.result.clientCpu)})`,
        );
      } finally {
        await stopServer(server);
      }
    }
  }
  return ECHO_SERVERS.map(({ name }) => {
    const rs = reqresp.get(name)!;
    const bs = bulk.get(name)!;
    return {
      server: name,
      reqresp: best(rs, (m) => m.result.perSecond),
      bulk: best(bs, (m) => m.result.mbPerSecond),
      rounds: { reqresp: rs.map((m) => m.result.perSecond), bulk: bs.map((m) => m.result.mbPerSecond), p99: rs.map((m) => m.result.p99) },
    };
  });
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

interface RedisRun {
  readonly test: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

interface RedisRow {
  readonly server: string;
  readonly pipeline: number;
  readonly set: RedisRun;
  readonly get: RedisRun;
  readonly serverCpu: number;
  /** Server CPU time per request, µs (over the SET and GET runs together). */
  readonly cpuPerRequest: number;
  /** SET+GET req/s of every round. */
  rounds?: number[];
}

/** `redis-benchmark --csv` rows: "test","rps","avg","min","p50","p95","p99","max". */
function parseCsv(csv: string): RedisRun[] {
  const runs: RedisRun[] = [];
  for (const line of csv.trim().split("\n").slice(1)) {
    const cells = line.split(",").map((c) => c.replace(/"/g, ""));
    runs.push({ test: cells[0]!, rps: Number(cells[1]), p50: Number(cells[4]), p99: Number(cells[6]) });
  }
  return runs;
}

async function redisBenchmarks(): Promise<RedisRow[]> {
  const runs = new Map<string, RedisRow[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ["mini-redis (tokio-ts)", "redis-server"]) {
      const port = name === "redis-server" ? await freePort() : undefined;
      const command =
        port === undefined
          ? [process.execPath, REDIS_MAIN, "--port", "0"]
          : ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
      await waitForQuiet();
      const server = await startServer(command, port);
      try {
        for (const pipeline of [1, 16]) {
          const args = ["-p", String(server.port), "-t", "set,get", "-n", String(REDIS_N), "-c", "50", "-P", String(pipeline), "--csv"];
          const [command, ...rest] = pinned(1, ["redis-benchmark", ...args]);
          const m = await measure(server, () => execText(command!, rest));
          const [set, get] = parseCsv(m.result);
          const cpuPerRequest = ((m.serverCpu * m.seconds) / (2 * REDIS_N)) * 1e6;
          const row: RedisRow = { server: name, pipeline, set: set!, get: get!, serverCpu: m.serverCpu, cpuPerRequest };
          push(runs, `${name} -P ${pipeline}`, row);
          console.log(`round ${round + 1} ${name} -P ${pipeline}: SET ${set!.rps.toFixed(0)}/s GET ${get!.rps.toFixed(0)}/s (server CPU ${pct(m.serverCpu)})`);
        }
      } finally {
        await stopServer(server);
      }
    }
  }
  return [...runs.values()].map((rows) => ({ ...best(rows, (r) => r.set.rps + r.get.rps), rounds: rows.map((r) => r.set.rps + r.get.rps) }));
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(0)} %`;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** Server CPU time per round trip, in µs (its CPU share over the run / the request rate). */
function cpuPerRequest(r: EchoRow): number {
  return (r.reqresp.serverCpu / r.reqresp.result.perSecond) * 1e6;
}

/**
 * The three echo targets judged on the median of each server's rounds, against the node:net
 * server with the better median. The best round favours whoever had one lucky round: on bulk,
 * a node:net round whose 64 KiB read buffers happen to reuse memory already mapped runs up to
 * 1.8× its other rounds.
 */
function medianRows(tokio: EchoRow, peers: EchoRow[], yes: (ok: boolean) => string): string[] {
  const p99s = tokio.rounds.p99;
  if (p99s === undefined || peers.some((r) => r.rounds.p99 === undefined)) return [];
  const bestBy = (f: (r: EchoRow) => number, higher: boolean) =>
    peers.reduce((a, b) => ((higher ? f(a) >= f(b) : f(a) <= f(b)) ? a : b));
  const rate = (r: EchoRow) => median(r.rounds.reqresp);
  const bulk = (r: EchoRow) => median(r.rounds.bulk);
  const p99 = (r: EchoRow) => median(r.rounds.p99!);
  const rateRow = bestBy(rate, true);
  const bulkRow = bestBy(bulk, true);
  const p99Row = bestBy(p99, false);
  const n = p99s.length;
  return [
    `| echo request/response rate ≥ 1.2× node:net — median of ${n} rounds | ${ratio(rate(tokio), rate(rateRow))} (vs ${rateRow.server}) | ${yes(rate(tokio) / rate(rateRow) >= 1.2)} |`,
    `| echo bulk MB/s ≥ 1.0× node:net — median of ${n} rounds | ${ratio(bulk(tokio), bulk(bulkRow))} (vs ${bulkRow.server}) | ${yes(bulk(tokio) / bulk(bulkRow) >= 1.0)} |`,
    `| echo p99 latency ≤ node:net's — median of ${n} rounds | ${p99(tokio).toFixed(3)} ms vs ${p99(p99Row).toFixed(3)} ms | ${yes(p99(tokio) <= p99(p99Row))} |`,
  ];
}

/** Server CPU seconds per GB echoed. */
function cpuPerGb(r: EchoRow): number {
  return (r.bulk.serverCpu * r.bulk.seconds) / (r.bulk.result.bytes / 1e9);
}

function render(echo: EchoRow[], redis: RedisRow[]): string {
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const tokio = echo[0]!;
  const peers = nodeNetRows(echo);
  const raw = echo.find((r) => r.server === RAW_SERVER);
  const best = (f: (r: EchoRow) => number) => peers.reduce((a, b) => (f(a) >= f(b) ? a : b));
  const bestRate = best((r) => r.reqresp.result.perSecond);
  const bestBulk = best((r) => r.bulk.result.mbPerSecond);
  const lowestP99 = peers.reduce((a, b) => (a.reqresp.result.p99 <= b.reqresp.result.p99 ? a : b));
  const cheapestPerRequest = Math.min(...peers.map(cpuPerRequest));
  const cheapestPerGb = Math.min(...peers.map(cpuPerGb));
  const rr = tokio.reqresp.result.perSecond / bestRate.reqresp.result.perSecond;
  const bk = tokio.bulk.result.mbPerSecond / bestBulk.bulk.result.mbPerSecond;
  const find = (server: string, pipeline: number) => redis.find((r) => r.server === server && r.pipeline === pipeline)!;
  const redisRatio = (pipeline: number) => {
    const mini = find("mini-redis (tokio-ts)", pipeline);
    const real = find("redis-server", pipeline);
    return (mini.set.rps + mini.get.rps) / (real.set.rps + real.get.rps);
  };
  const yes = (ok: boolean) => (ok ? "yes" : "**no**");
  const lines = [
    "## Networking (issue 7)",
    "",
    `Generated by \`node benches/dist/src/net/main.js\` on ${date} UTC; ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), Node ${process.version}.`,
    `Each server and the load client run in processes of their own; ${ROUNDS} rounds alternating between servers; the best round of`,
    "each is shown (the machine is shared: other processes only slow a round down), every round listed. The ratios compare",
    `tokio-ts with the better of the two \`node:net\` servers. Load average at the start: ${LOAD_START}, at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`,
    NATIVE === undefined
      ? "Load client: `benches/src/net/load-client.ts` (Node; no C compiler was found, or `BENCH_NET_CLIENT=node`). It saturates its core near node:net's rate, so the rates below are partly the client's."
      : "Load client: `benches/native/echo-load.c` (epoll, built with `cc -O2`). The Node client (`load-client.ts`, `BENCH_NET_CLIENT=node`) saturates its core near node:net's rate; this one leaves the server as the limit.",
    `${TASKSET ? "Servers run on core 0 and load clients on core 1 (taskset)." : "Processes are not pinned (no taskset)."} ` +
      "Each round waits until the machine is at least 90 % idle over half a second (up to a minute; " +
      `${quietWaits} half-second waits in all, ${noisyRounds} round(s) started without a quiet moment).`,
    "The server's CPU time per request (and per GB) is the robust measure on a shared machine: a",
    "neighbour's burst lowers a round's throughput, but hardly what each request costs the server.",
    "The echo targets are judged twice: on the best round, and on the median of the rounds.",
    "",
    `The last row of each echo table, *${RAW_SERVER}*, is context, not a peer: libuv's TCP handles`,
    "driven directly through Node's deprecated `process.binding(\"tcp_wrap\")` — no `net.Socket`, no",
    "streams, no Buffer per read (`benches/src/net/node-servers.ts`, `raw`). It is the least",
    "a server written in JavaScript on Node can cost: the rest is the kernel's loopback path and libuv.",
    "How far below `node:net` it is bounds what any library on Node's sockets can gain over `node:net`.",
    "",
    "### Targets",
    "",
    "| target | measured | met |",
    "| --- | ---: | :---: |",
    `| echo request/response rate ≥ 1.2× node:net | ${ratio(tokio.reqresp.result.perSecond, bestRate.reqresp.result.perSecond)} (vs ${bestRate.server}) | ${yes(rr >= 1.2)} |`,
    `| echo bulk MB/s ≥ 1.0× node:net | ${ratio(tokio.bulk.result.mbPerSecond, bestBulk.bulk.result.mbPerSecond)} (vs ${bestBulk.server}) | ${yes(bk >= 1.0)} |`,
    `| echo p99 latency ≤ node:net's | ${tokio.reqresp.result.p99.toFixed(3)} ms vs ${lowestP99.reqresp.result.p99.toFixed(3)} ms | ${yes(tokio.reqresp.result.p99 <= lowestP99.reqresp.result.p99)} |`,
    ...medianRows(tokio, peers, yes),
    `| (no target) server CPU per request, tokio-ts vs the cheaper node:net | ${cpuPerRequest(tokio).toFixed(1)} µs vs ${cheapestPerRequest.toFixed(1)} µs | — |`,
    `| (no target) server CPU per GB, tokio-ts vs the cheaper node:net | ${cpuPerGb(tokio).toFixed(2)} s vs ${cheapestPerGb.toFixed(2)} s | — |`,
    ...(raw === undefined
      ? []
      : [
          `| (context) the floor for JavaScript on Node — raw libuv handle vs the cheaper node:net, server CPU per request | ${cpuPerRequest(raw).toFixed(1)} µs vs ${cheapestPerRequest.toFixed(1)} µs (${(cheapestPerRequest / cpuPerRequest(raw)).toFixed(2)}× less) | — |`,
          `| (context) the same per GB | ${cpuPerGb(raw).toFixed(2)} s vs ${cheapestPerGb.toFixed(2)} s | — |`,
        ]),
    `| mini-redis ≥ 0.7× redis-server, no pipelining (SET+GET req/s) | ${redisRatio(1).toFixed(2)}× | ${yes(redisRatio(1) >= 0.7)} |`,
    `| mini-redis vs redis-server with -P 16 (no target) | ${redisRatio(16).toFixed(2)}× | — |`,
    "",
    `### Echo: 50 connections × 64-byte request/response, ${SECONDS} s per round`,
    "",
    "| server | req/s | vs tokio-ts | p50 | p99 | server CPU | server CPU per request | client CPU | rounds (k req/s) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...echo.map(
      (r) =>
        `| ${r.server} | ${(r.reqresp.result.perSecond / 1000).toFixed(1)}k | ${ratio(tokio.reqresp.result.perSecond, r.reqresp.result.perSecond)} | ` +
        `${r.reqresp.result.p50.toFixed(3)} ms | ${r.reqresp.result.p99.toFixed(3)} ms | ${pct(r.reqresp.serverCpu)} | ` +
        `${cpuPerRequest(r).toFixed(1)} µs | ${pct(r.reqresp.result.clientCpu)} | ` +
        `${r.rounds.reqresp.map((v) => (v / 1000).toFixed(1)).join(", ")} |`,
    ),
    "",
    `### Echo: ${(BULK_BYTES / 2 ** 20).toFixed(0)} MiB through one connection`,
    "",
    "| server | MB/s | vs tokio-ts | seconds | server CPU | server CPU per GB | client CPU | rounds (MB/s) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...echo.map(
      (r) =>
        `| ${r.server} | ${r.bulk.result.mbPerSecond.toFixed(0)} | ${ratio(tokio.bulk.result.mbPerSecond, r.bulk.result.mbPerSecond)} | ` +
        `${r.bulk.result.seconds.toFixed(2)} | ${pct(r.bulk.serverCpu)} | ${cpuPerGb(r).toFixed(2)} s | ${pct(r.bulk.result.clientCpu)} | ` +
        `${r.rounds.bulk.map((v) => v.toFixed(0)).join(", ")} |`,
    ),
    "",
    `### mini-redis vs redis-server: \`redis-benchmark -t set,get -n ${REDIS_N} -c 50 [-P 16]\``,
    "",
    "| server | pipeline | SET req/s | GET req/s | GET p50 | GET p99 | server CPU | server CPU per request | rounds (SET+GET k req/s) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...redis.map(
      (r) =>
        `| ${r.server} | ${r.pipeline} | ${r.set.rps.toFixed(0)} | ${r.get.rps.toFixed(0)} | ${r.get.p50.toFixed(3)} ms | ${r.get.p99.toFixed(3)} ms | ${pct(r.serverCpu)} | ${r.cpuPerRequest.toFixed(1)} µs | ${(r.rounds ?? []).map((v) => (v / 1000).toFixed(0)).join(", ")} |`,
    ),
    "",
    `Ratio mini-redis / redis-server (SET+GET): ${redisRatio(1).toFixed(2)}× without pipelining, ${redisRatio(16).toFixed(2)}× with -P 16.`,
    "",
  ];
  return lines.join("\n");
}

/** The ratios of the targets table (tokio-ts over its peer; higher is better for tokio-ts). */
function ratios(echo: EchoRow[], redis: RedisRow[]): { label: string; value: number; target?: number }[] {
  const tokio = echo[0]!;
  const peers = nodeNetRows(echo);
  const bestRate = Math.max(...peers.map((r) => r.reqresp.result.perSecond));
  const bestBulk = Math.max(...peers.map((r) => r.bulk.result.mbPerSecond));
  const bestP99 = Math.min(...peers.map((r) => r.reqresp.result.p99));
  const pair = (pipeline: number) => {
    const mini = redis.find((r) => r.server.startsWith("mini-redis") && r.pipeline === pipeline)!;
    const real = redis.find((r) => r.server === "redis-server" && r.pipeline === pipeline)!;
    return (mini.set.rps + mini.get.rps) / (real.set.rps + real.get.rps);
  };
  return [
    { label: "echo req/s vs node:net", value: tokio.reqresp.result.perSecond / bestRate, target: 1.2 },
    { label: "echo bulk MB/s vs node:net", value: tokio.bulk.result.mbPerSecond / bestBulk, target: 1.0 },
    { label: "echo p99: node:net's / tokio-ts's", value: bestP99 / tokio.reqresp.result.p99, target: 1.0 },
    { label: "mini-redis vs redis-server", value: pair(1), target: 0.7 },
    { label: "mini-redis vs redis-server, -P 16", value: pair(16) },
  ];
}

/** A bar chart of {@link ratios}: one bar per row, the line at 1× and a tick at each target. */
function renderSvg(rows: { label: string; value: number; target?: number }[]): string {
  const left = 250;
  const width = 640;
  const scale = (width - left - 110) / 1.5; // 0× to 1.5×; the value column on the right
  const rowHeight = 34;
  const top = 36;
  const height = top + rows.length * rowHeight + 30;
  const x = (v: number) => left + Math.min(v, 1.5) * scale;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="22" font-weight="bold">tokio-ts networking: ratio to the peer (higher is better; tick and parentheses: target)</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const met = row.target === undefined || row.value >= row.target;
    parts.push(`<text x="10" y="${y + 20}">${row.label}</text>`);
    parts.push(`<rect x="${left}" y="${y + 6}" width="${(x(row.value) - left).toFixed(1)}" height="20" fill="${met ? "#4c9a2a" : "#c0392b"}"/>`);
    parts.push(`<text x="${width - 10}" y="${y + 21}" text-anchor="end">${row.value.toFixed(2)}×${row.target === undefined ? "" : ` (${row.target}×)`}</text>`);
    if (row.target !== undefined) {
      parts.push(`<line x1="${x(row.target).toFixed(1)}" x2="${x(row.target).toFixed(1)}" y1="${y + 2}" y2="${y + 30}" stroke="black" stroke-width="2"/>`);
    }
  });
  const bottom = top + rows.length * rowHeight;
  parts.push(`<line x1="${x(1)}" x2="${x(1)}" y1="${top}" y2="${bottom}" stroke="#888" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${x(1) - 8}" y="${bottom + 18}" fill="#555">1×</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

mkdirSync(`${ROOT}benches/results`, { recursive: true });
if (process.argv.includes("--svg-only")) {
  // Redraw the chart from the last measurement.
  const saved = JSON.parse(readFileSync(`${ROOT}benches/results/net.json`, "utf8")) as { echo: EchoRow[]; redis: RedisRow[] };
  writeFileSync(`${ROOT}benches/results/net.svg`, renderSvg(ratios(saved.echo, saved.redis)));
} else {
  const echo = await echoBenchmarks();
  const redis = await redisBenchmarks();
  writeFileSync(`${ROOT}benches/results/net.json`, JSON.stringify({ echo, redis }, null, 2) + "\n");
  writeFileSync(`${ROOT}benches/results/net.svg`, renderSvg(ratios(echo, redis)));
  const md = render(echo, redis);
  writeFileSync(`${ROOT}benches/results/net.md`, md + "\n![ratios](net.svg)\n");
  console.log(md);
}
