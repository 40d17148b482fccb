import { readFileSync } from "node:fs";
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
  return { cpus: cpu.length, cpu: cpu[0]?.model ?? "unknown", node: process.version, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) };
};
