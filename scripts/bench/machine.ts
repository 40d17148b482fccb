import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

function cpuTicks(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Share of all CPUs busy over `ms` (Linux /proc/stat), or null where that cannot be read. */
export async function busyPercent(ms: number): Promise<number | null> {
  const a = cpuTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTicks();
  if (!a || !b || b.total === a.total) return null;
  return Math.round((100 * (b.busy - a.busy)) / (b.total - a.total));
}

export const machineInfo = () => {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpu: cpu[0]?.model ?? "unknown",
    node: process.version,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
};

/** utime + stime (ms) of each live process in our tree: this process and its descendants. */
function treeCpu(): Map<number, number> {
  const stats = new Map<number, { ppid: number; ms: number }>();
  let names: string[];
  try {
    names = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return new Map();
  }
  for (const d of names) {
    try {
      const text = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(d), { ppid: Number(f[1]), ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND });
    } catch {
      // Gone meanwhile.
    }
  }
  const mine = new Map<number, number>([[process.pid, stats.get(process.pid)?.ms ?? 0]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!mine.has(pid) && mine.has(s.ppid)) {
        mine.set(pid, s.ms);
        grew = true;
      }
    }
  }
  return mine;
}

/** Linux's USER_HZ; 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time our own processes (this one with the local Neon/Upstash stand-ins, wrangler and its
 * workerd processes) spend during `run`, counted for processes alive before and after it, so the
 * load generator (a child that comes and goes) is left out. Postgres and Redis are not ours.
 */
export async function ourCpuDuring<T extends { loadCpuMs: number }>(
  run: () => Promise<T>,
): Promise<{ result: T; cpuMs: number | null; share: CpuShare | null }> {
  const before = treeCpu();
  const machineBefore = cpuTicks();
  const result = await run();
  const machineAfter = cpuTicks();
  const after = treeCpu();
  if (before.size === 0 || !machineBefore || !machineAfter) return { result, cpuMs: null, share: null };
  let ms = 0;
  // This process hosts the local Neon and Upstash stand-ins (and does little else meanwhile).
  const standInMs = (after.get(process.pid) ?? 0) - (before.get(process.pid) ?? 0);
  for (const [pid, start] of before) {
    const end = after.get(pid);
    if (end !== undefined) ms += end - start;
  }
  const totalMs = ((machineAfter.total - machineBefore.total) * 1000) / TICKS_PER_SECOND;
  const busyMs = ((machineAfter.busy - machineBefore.busy) * 1000) / TICKS_PER_SECOND;
  const pct = (x: number) => (totalMs > 0 ? Math.round((100 * x) / totalMs) : 0);
  return {
    result,
    cpuMs: ms,
    share: {
      busy: pct(busyMs),
      worker: pct(ms),
      load: pct(result.loadCpuMs),
      rest: pct(busyMs - ms - result.loadCpuMs),
      standIns: pct(standInMs),
    },
  };
}

/**
 * Where all CPUs' time went during a scenario, in % of their capacity: our stack (Worker, wrangler,
 * local stand-ins), the load generator, and the rest (Postgres, Redis and anything else running
 * here: a large `rest` on a cached or I/O-free path means the machine was shared).
 */
export interface CpuShare {
  busy: number;
  worker: number;
  load: number;
  rest: number;
  /** Of `worker`, the part the local stand-ins (this process) took: past one core's worth, they set the pace. */
  standIns: number;
}
