/**
 * CPU time of a process (all its threads), from /proc/<pid>/stat: user + system, in seconds. Measured between two
 * points of a run, it gives the CPU each report cost a process, which does not depend on how busy the rest of the
 * machine was (wall-clock rates do).
 */
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc (USER_HZ): 100 on Linux. */
const USER_HZ = 100;

export const cpuSeconds = async (pid: number): Promise<number> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The command name (field 2) may hold spaces: count from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : 0;
};
