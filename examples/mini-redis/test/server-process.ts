/** Start the built mini-redis (dist/src/main.js) as a child process on an ephemeral port. */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the server printed so far. */
  readonly output: () => string;
  /** SIGINT, then resolve with the exit code (or the signal that killed it). */
  readonly stop: () => Promise<number | string>;
}

/** Resolve when `child` exits, with its code or signal. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
}

export async function startServer(): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        child.stdout!.off("data", onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`mini-redis exited with ${code} before listening:\n${out}`)));
  });
  return {
    port,
    child,
    output: () => out,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited(child);
    },
  };
}

/** Run `command args…` and resolve with its stdout (rejects on a non-zero exit). */
export function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** `redis-cli -p port args…`, its output trimmed of the final newline. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run("redis-cli", ["-p", String(port), ...args])).replace(/\n+$/, "");
}

/** Collect a child's stdout; `seen(text)` resolves once it contains `text`. */
export function watchOutput(child: ChildProcess): { text: () => string; seen: (text: string) => Promise<void> } {
  let out = "";
  let waiters: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    waiters = waiters.filter((w) => (out.includes(w.text) ? (w.resolve(), false) : true));
  });
  child.once("exit", () => {
    for (const w of waiters) w.reject(new Error(`the process exited before printing ${JSON.stringify(w.text)}; output:\n${out}`));
    waiters = [];
  });
  return {
    text: () => out,
    seen: (text) =>
      out.includes(text) ? Promise.resolve() : new Promise((resolve, reject) => waiters.push({ text, resolve, reject })),
  };
}
