import { afterEach, describe, expect, it, vi } from "vitest";
import { log, logRequest } from "../../src/lib/log.ts";

afterEach(() => vi.restoreAllMocks());

describe("logRequest", () => {
  it("writes the same JSON line log() would, client-controlled text escaped", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    const fields = {
      requestId: 'id-"1"',
      method: "GET",
      path: '/api/x"\n\\',
      route: null,
      status: 200,
      ms: 1.5,
      userId: 7,
    };
    logRequest(fields);
    log("info", "request", fields);
    const [fast, slow] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect({ ...fast, time: 0 }).toEqual({ ...slow, time: 0 });
    expect(fast).toMatchObject({ level: "info", msg: "request", path: '/api/x"\n\\', route: null, userId: 7 });
    logRequest({ ...fields, userId: undefined });
    expect(JSON.parse(lines[2]!)).not.toHaveProperty("userId");
  });
});
