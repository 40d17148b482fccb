// A server in a child process of ours (workerd, Deno): how it is stopped, and when it is ready.
import type { ChildProcess } from "node:child_process";

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export const stopper = (child: ChildProcess, graceMs: number) => (): Promise<void> =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
  });

/** Resolves once `url`/api/ answers; stops the child and throws if it exits or `seconds` pass first. */
export async function untilAnswers(
  name: string,
  child: ChildProcess,
  url: string,
  seconds: number,
  stop: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it answered`);
    const ok = await fetch(`${url}/api/`).then(
      (r) => r.body?.cancel().then(() => true),
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer within ${seconds} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
