import { readdirSync, readlinkSync } from 'node:fs';

/**
 * Pids of live processes holding a file under `dir` open (their logs live there), so a test
 * can prove that nothing a stack started outlived it, whoever its parent was.
 */
export function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return readlinkSync(`/proc/${entry}/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    });
    if (holds) found.push(Number(entry));
  }
  return found;
}
