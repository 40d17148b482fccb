import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BurstResult, BurstTask } from "./burst.ts";
import type { BuyersResult, BuyersTask } from "./buyers.ts";
import type { HttpLoadResult, HttpLoadTask } from "./http-load.ts";
import type { FanoutResult, FanoutTask, NotifyResult, NotifyTask } from "./notify.ts";

const childPath = fileURLToPath(new URL("./child.ts", import.meta.url));
const running = new Set<ChildProcess>();

/** Stops every load process still running (on Ctrl-C). */
export function killChildren(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** Each result also carries the CPU the load process itself used (ms). */
type ResultOf<T> = (T extends HttpLoadTask
  ? HttpLoadResult
  : T extends BuyersTask
    ? BuyersResult
    : T extends NotifyTask
      ? NotifyResult
      : T extends FanoutTask
        ? FanoutResult
        : T extends BurstTask
          ? BurstResult
          : never) & {
  loadCpuMs: number;
};

/** Runs one task in a fresh child process (its own event loop and CPU time); kills it past the deadline. */
export function inChild<T extends HttpLoadTask | BuyersTask | NotifyTask | FanoutTask | BurstTask>(
  task: T,
  timeoutMs: number,
): Promise<ResultOf<T>> {
  const child = fork(childPath, [], {
    execArgv: ["--disable-warning=ExperimentalWarning"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bench task "${task.kind}" did not finish within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    child.once("message", (msg: { ok: true; result: ResultOf<T> } | { ok: false; error: string }) => {
      clearTimeout(timer);
      if (msg.ok) resolve(msg.result);
      else reject(new Error(`bench task "${task.kind}" failed: ${msg.error}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bench task "${task.kind}" exited (${code}) without a result`));
    });
    child.send(task);
  });
}
