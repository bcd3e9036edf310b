import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What a process and everything it started (PostgreSQL's backends, say) have used, from /proc (Linux). */
export interface ProcessUsage {
  /** User + system CPU time since the process started, its ended children's included. */
  cpuSeconds: number;
  /** Resident memory now, summed over the tree. */
  rssBytes: number;
  /** Bytes the tree's live processes have read, from sockets and files alike (`rchar` of /proc/<pid>/io). */
  bytesRead: number;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const PAGE_SIZE = Number(execFileSync('getconf', ['PAGESIZE']).toString().trim());

/** The usage of `rootPid` and all its descendants at this moment. */
export function processTreeUsage(rootPid: number): ProcessUsage {
  const all = readAllStats();
  const tree = new Set([rootPid]);
  // Parents start before their children, so one pass in pid order finds nearly all; repeat until stable.
  for (let grew = true; grew;) {
    grew = false;
    for (const stat of all) {
      if (!tree.has(stat.pid) && tree.has(stat.ppid)) {
        tree.add(stat.pid);
        grew = true;
      }
    }
  }
  const inTree = all.filter((stat) => tree.has(stat.pid));
  return {
    cpuSeconds: inTree.reduce((sum, stat) => sum + stat.cpuTicks, 0) / CLOCK_TICKS_PER_SECOND,
    rssBytes: inTree.reduce((sum, stat) => sum + stat.rssPages, 0) * PAGE_SIZE,
    bytesRead: inTree.reduce((sum, stat) => sum + bytesReadBy(stat.pid), 0),
  };
}

interface Stat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

function bytesReadBy(pid: number): number {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // ended since
  }
}

function readAllStats(): Stat[] {
  const stats: Stat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseStat(Number(entry), readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return stats;
}

/** proc(5): `pid (comm) state ppid … utime stime … rss …`; comm may hold spaces and parentheses. */
function parseStat(pid: number, line: string): Stat {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): field n is fields[n - 3]. utime, stime, then cutime and cstime:
  // the time of children that have ended (a PostgreSQL backend whose connection closed), or the tree's total
  // would shrink when one ends.
  return {
    pid,
    ppid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    rssPages: Number(fields[21]),
  };
}
