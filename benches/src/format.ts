/**
 * The number formats, the median and the targets table shared by report.ts, report-sync.ts and
 * sync-process-run.ts.
 */
import { BASELINE } from "./impl.js";

/** Nanoseconds, in the unit that fits. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "—";
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** Operations per second: M/s, k/s or /s. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "—";
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** Bytes as MiB. */
export function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** A ratio (other over baseline, per operation) as "baseline is k× faster/slower". */
export function formatRatio(ratio: number, baseline: string = BASELINE): string {
  if (!Number.isFinite(ratio)) return "—";
  if (ratio >= 1) return `${baseline} is **${ratio.toFixed(2)}× faster**`;
  return `${baseline} is **${(1 / ratio).toFixed(2)}× slower**`;
}

/** Milliseconds, two decimals below 10. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(ms < 10 ? 2 : 1)} ms` : "—";
}

/** One row of a targets table: the words, what was measured, and whether it is met. */
export interface Target {
  text: string;
  measured: string;
  met: boolean | undefined;
}

/** A targets table in markdown. */
export function targetRows(list: Target[]): string[] {
  return [
    "| target | measured | met |",
    "| --- | ---: | :---: |",
    ...list.map((t) => `| ${t.text} | ${t.measured} | ${t.met === undefined ? "—" : t.met ? "yes" : "**no**"} |`),
  ];
}

/** The median of `xs` (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
