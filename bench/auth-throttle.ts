// `npm run bench:auth-throttle`: what the shared auth-failure throttle adds to a login, per adapter
// set (the contract suite's list): the throttle check of a login with nothing cached (two counter
// reads in parallel: IP and account), the same check answered by the clear-verdict cache, and the
// record of a failure (two writes in parallel). Against DynamoDB Local the round trips are loopback
// HTTP to a Java emulator: in-region DynamoDB is typically a few ms per call.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE } from '../core/auth/auth-throttle.js';
import { adapterSets } from '../test/contracts/adapter-sets.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 500);

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(3);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`;
}

async function timed(runs: number, task: (i: number) => Promise<unknown>): Promise<{ samples: number[]; cpuMsPerCall: number }> {
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await task(i);
    samples.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { samples, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / runs };
}

for (const set of adapterSets) {
  const opened = await set.open();
  try {
    const uncached = new AuthThrottle(opened.storage.attempts, { ...DEFAULT_AUTH_THROTTLE, clearVerdictCacheMs: 0 });
    const cached = new AuthThrottle(opened.storage.attempts, DEFAULT_AUTH_THROTTLE);
    const run = randomUUID().slice(0, 8);
    const cold = await timed(RUNS, (i) => uncached.isBlocked(`198.51.100.${i % 250}`, `u${i}-${run}@example.test`));
    await cached.isBlocked('198.51.100.1', `warm-${run}@example.test`);
    const warm = await timed(RUNS, () => cached.isBlocked('198.51.100.1', `warm-${run}@example.test`));
    const failures = await timed(RUNS, (i) => uncached.recordFailure(`203.0.113.${i % 250}`, `f${i}-${run}@example.test`));
    console.log(`[${set.name}] login check, nothing cached: ${percentiles(cold.samples)} (${cold.cpuMsPerCall.toFixed(3)} ms CPU of this process)`);
    console.log(`[${set.name}] login check, clear verdict cached: ${percentiles(warm.samples)}`);
    console.log(`[${set.name}] failure recorded: ${percentiles(failures.samples)} (${failures.cpuMsPerCall.toFixed(3)} ms CPU)`);
  } finally {
    await opened.cleanup();
  }
}
process.exit(0);
