/**
 * The timing loop of the fresh-process runs (sync-, task- and timer-process-run.ts): after
 * the caller's checks, `warmUps` iterations at `n`, then `sampleCount` samples, each the mean of
 * {@link RUNS_PER_SAMPLE} iterations. The result is the median sample per operation.
 */
import { median } from "./format.js";

const RUNS_PER_SAMPLE = 3;

/** What one fresh-process run reports: the median sample and every sample, ns per operation. */
export interface ProcessSamples {
  perOpNs: number;
  samplesNs: number[];
}

export async function sampleInProcess(
  run: (n: number) => unknown,
  n: number,
  warmUps: number,
  sampleCount: number,
): Promise<ProcessSamples> {
  for (let i = 0; i < warmUps; i++) await run(n);
  const samplesNs: number[] = [];
  for (let s = 0; s < sampleCount; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < RUNS_PER_SAMPLE; i++) await run(n);
    samplesNs.push(Number(process.hrtime.bigint() - start) / RUNS_PER_SAMPLE / n);
  }
  return { perOpNs: median(samplesNs), samplesNs };
}
