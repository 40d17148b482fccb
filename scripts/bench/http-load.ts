// Runs in the load child: autocannon against one base URL, cycling through the given paths.
import autocannon from "autocannon";
import type { CpuShare } from "./machine.ts";
import { type Latency, round, summarize } from "./stats.ts";

export interface HttpLoadTask {
  kind: "http";
  baseUrl: string;
  /** Requested in turn, one per request; give many distinct ones to defeat a cache. */
  paths: string[];
  connections: number;
  seconds: number;
  /** Load first for this long and throw the figures away (JIT, connection set-up, caches). */
  warmupSeconds: number;
}

export interface HttpLoadResult extends Latency {
  requests: number;
  rps: number;
  /** Responses outside 2xx, by status. */
  non2xx: number;
  statuses: Record<string, number>;
  /** Socket errors and timeouts (no response at all). */
  errors: number;
  /** More requests were made than paths given, so some path was requested twice. */
  pathsWrapped: boolean;
  /** Requests made during the warm-up (not in the figures above). */
  warmupRequests: number;
  /** Set by the parent: CPU of our processes per request, warm-up included (null off Linux)... */
  cpuMsPerRequest?: number | null;
  /** ...and where the machine's CPU went meanwhile. */
  cpu?: CpuShare | null;
}

export async function runHttpLoad(task: HttpLoadTask): Promise<HttpLoadResult> {
  // Shared by warm-up and measurement, so the measured run never repeats a warm-up path.
  let next = 0;
  let latencies: number[] = [];
  const run = (seconds: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: task.baseUrl,
          connections: task.connections,
          duration: seconds,
          timeout: 10,
          requests: [
            { method: "GET", setupRequest: (req) => ({ ...req, path: task.paths[next++ % task.paths.length]! }) },
          ],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      // autocannon's own histogram has 1 ms resolution; keep every 2xx latency exactly instead.
      instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) latencies.push(ms);
      });
    });
  const warm = task.warmupSeconds > 0 ? await run(task.warmupSeconds) : null;
  const warmupRequests = warm
    ? Object.values(warm.statusCodeStats as unknown as Record<string, { count: number }>).reduce(
        (n, s) => n + s.count,
        0,
      )
    : 0;
  latencies = [];
  const result = await run(task.seconds);
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(
    result.statusCodeStats as unknown as Record<string, { count: number }>,
  )) {
    statuses[code] = count;
  }
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requests,
    rps: round(requests / (result.duration || task.seconds), 1),
    ...summarize(latencies),
    non2xx: result.non2xx,
    statuses,
    errors: result.errors, // timeouts included
    pathsWrapped: next > task.paths.length,
    warmupRequests,
  };
}
