import { readFileSync } from 'node:fs';

/** User + system CPU of a process in ms, from /proc (Linux, 10 ms ticks); null once it is gone or off Linux. */
export function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * Busy time of one core since boot in ms (user, nice, system, irq, softirq, steal from /proc/stat,
 * 10 ms ticks): its growth minus a pinned process's own CPU is what other processes took from
 * that core. Null off Linux or for a core that is not there.
 */
export function coreBusyMs(core: number): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((text) => text.startsWith(`cpu${core} `));
    if (!line) return null;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10;
  } catch {
    return null;
  }
}
