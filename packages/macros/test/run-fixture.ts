/** Runs a compiled fixture program (test/fixtures) in a child node, for the tests of main and test. */
import { spawn as spawnChild } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A safety net against a hung child, never a timing assertion. */
const KILL_AFTER_MS = 30_000;

/**
 * Run a compiled fixture in a child node. With `send`, the signal is sent as soon as the child
 * has printed "ready".
 */
export function runFixture(name: string, send?: NodeJS.Signals, args: readonly string[] = []): Promise<Outcome> {
  const file = fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawnChild(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    const safety = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (send !== undefined && !sent && stdout.includes("ready\n")) {
        sent = true;
        child.kill(send);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(safety);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
