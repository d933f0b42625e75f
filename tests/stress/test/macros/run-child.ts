/** Runs a compiled fixture in a child node, at most 2 at a time; sends signals on markers. */
import { spawn as spawnChild } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as assert from "uvu/assert";
import type { Config } from "./fixtures/main-prog.js";

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  killedBySafetyNet: boolean;
  lines: string[];
}

/** A signal to send: when `on` has been printed (or at spawn if absent), after `delayMs`. */
export interface SignalPlan {
  on?: string;
  signal: NodeJS.Signals;
  delayMs?: number;
}

const SAFETY_MS = 8_000;
let running = 0;
const queue: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

export function runChild(fixture: string, args: string[], plans: SignalPlan[] = []): Promise<ChildResult> {
  const file = fileURLToPath(new URL(`./fixtures/${fixture}.js`, import.meta.url));
  return slot(
    () =>
      new Promise<ChildResult>((resolve, reject) => {
        const child = spawnChild(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let killedBySafetyNet = false;
        const pending = plans.map((p) => ({ ...p, armed: false }));
        const fire = (p: (typeof pending)[number]): void => {
          p.armed = true;
          const send = (): void => void (child.exitCode === null && child.signalCode === null && child.kill(p.signal));
          if ((p.delayMs ?? 0) === 0) send();
          else setTimeout(send, p.delayMs);
        };
        const check = (): void => {
          // Plans fire in order: each waits for its marker and for the plans before it.
          for (const p of pending) {
            if (p.armed) continue;
            if (p.on === undefined || stdout.split("\n").includes(p.on)) fire(p);
            else break;
          }
        };
        const safety = setTimeout(() => {
          killedBySafetyNet = true;
          child.kill("SIGKILL");
        }, SAFETY_MS);
        child.stdout.setEncoding("utf8").on("data", (c: string) => {
          stdout += c;
          check();
        });
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.on("spawn", check);
        child.on("error", reject);
        const started = Date.now();
        child.on("close", (code, signal) => {
          clearTimeout(safety);
          if (process.env["RUN_CHILD_TIMES"]) process.stderr.write(`${Date.now() - started} ms ${args.join(" ")} ${JSON.stringify(plans)}\n`);
          resolve({ code, signal, stdout, stderr, killedBySafetyNet, lines: stdout.split("\n").filter((l) => l !== "") });
        });
      }),
  );
}

export function count(lines: readonly string[], line: string): number {
  return lines.filter((l) => l === line).length;
}

/** Run the `main-prog` fixture with `cfg`, sending `plans`' signals. */
export function runProg(cfg: Config, plans: SignalPlan[] = []): Promise<ChildResult> {
  return runChild("main-prog", [JSON.stringify(cfg)], plans);
}

/** A case's description for messages: its config and signal plan. */
export const what = (cfg: Config, plans: SignalPlan[] = []): string => `${JSON.stringify(cfg)} ${JSON.stringify(plans)}`;

/** The child exited by itself: not killed by the safety net nor by a signal. */
export function exitedByItself(r: ChildResult, w: string): void {
  assert.not.ok(r.killedBySafetyNet, `${w}: the process did not exit by itself; stdout: ${r.stdout}`);
  assert.is(r.signal, null, `${w}: killed by ${r.signal}; stdout: ${r.stdout}`);
}
