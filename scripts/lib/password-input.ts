// A password for a command, never from its arguments (other local users can read those): asked
// for twice without echo on a terminal, else the first line of stdin (`printf '%s\n' "$PW" | …`).
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";

async function ask(question: string): Promise<string> {
  let muted = false;
  // Echo off: readline writes what is typed to `output`, which drops it once the prompt is out.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question(question);
    muted = true;
    return await answer;
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}

export async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await ask("Password: ");
    if ((await ask("Password (again): ")) !== first) {
      console.error("the two passwords differ");
      process.exit(2);
    }
    return first;
  }
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return "";
}
