import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time and memory of another process, read from /proc (Linux). Reading from outside costs
 * the measured process nothing, which an in-process probe would not.
 */

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // the Linux default (USER_HZ)
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of the process in ms, or null where /proc is not available. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing ")" are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

export interface MemoryStats {
  /** Peak resident set size (VmHWM), MB. */
  peakRssMb: number;
  /** Current resident set size (VmRSS), MB. */
  rssMb: number;
}

export function memory(pid: number): MemoryStats | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const peak = kb('VmHWM');
    const rss = kb('VmRSS');
    return Number.isFinite(peak) ? { peakRssMb: peak / 1024, rssMb: rss / 1024 } : null;
  } catch {
    return null;
  }
}

/**
 * Waits until the process stops using CPU: a load generator that stops after its duration
 * abandons requests the server is still working on, and that work must neither slow the next
 * measurement down nor go missing from this one's CPU time.
 */
export async function waitIdle(pid: number, timeoutMs = 60_000): Promise<boolean> {
  const interval = 250;
  const deadline = Date.now() + timeoutMs;
  let last = cpuMs(pid);
  if (last === null) return true;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, interval));
    const now = cpuMs(pid);
    if (now === null) return true;
    // One clock tick (10 ms) per 250 ms is timers and GC, not requests.
    if (now - last <= 1000 / clockTicks()) return true;
    last = now;
  }
  return false;
}

/**
 * CPU ms the process spends on `work` and on finishing what it left behind, divided by the
 * requests it was sent (abandoned ones included: the server did their work too).
 */
export async function cpuPerRequest<T>(pid: number, work: () => Promise<T>, requests: (result: T) => number): Promise<{ result: T; cpuMsPerRequest: number | null; drained: boolean }> {
  const before = cpuMs(pid);
  const result = await work();
  const drained = await waitIdle(pid);
  const after = cpuMs(pid);
  const count = requests(result);
  return { result, cpuMsPerRequest: before === null || after === null || count === 0 ? null : (after - before) / count, drained };
}
