// README.md's "Quick tour" as written, against the Worker on wrangler's dev server (tests/e2e/readme-tour.ts).
import { it } from "vitest";
import { runReadmeTour } from "./readme-tour";
import { useRunningWorker } from "./support";

const worker = useRunningWorker();

it("README's quick tour runs as written against the Worker", { timeout: 90_000 }, () => runReadmeTour(worker));
