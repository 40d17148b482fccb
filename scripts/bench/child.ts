// The load-generating process: receives one task over IPC, runs it, sends the result back.
// Load and measurements never share an event loop with the proxy, the Upstash endpoint or the
// orchestrator, which all live in the parent process.
import { type BurstTask, runBurst } from "./burst.ts";
import { type BuyersTask, runBuyers } from "./buyers.ts";
import { type HttpLoadTask, runHttpLoad } from "./http-load.ts";
import { type FanoutTask, type NotifyTask, runFanout, runNotify } from "./notify.ts";

export type Task = HttpLoadTask | BuyersTask | NotifyTask | FanoutTask | BurstTask;

async function run(task: Task): Promise<unknown> {
  switch (task.kind) {
    case "http":
      return runHttpLoad(task);
    case "buyers":
      return runBuyers(task);
    case "notify":
      return runNotify(task);
    case "fanout":
      return runFanout(task);
    case "burst":
      return runBurst(task);
  }
}

process.once("message", (task: Task) => {
  run(task).then(
    (result) => {
      const { user, system } = process.cpuUsage();
      process.send!(
        { ok: true, result: { ...(result as object), loadCpuMs: Math.round((user + system) / 1000) } },
        () => process.exit(0),
      );
    },
    (err: unknown) =>
      process.send!({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () =>
        process.exit(1),
      ),
  );
});
