import { Agent, request as httpRequest } from "node:http";

/** A small seeded PRNG (mulberry32): the same seed gives the same requests, so a failure can be replayed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** One request as the fuzzer sends it: method, path, headers and raw body bytes. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What was fuzzed, for the failure report. */
  label: string;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Values that break path segments, ids and URL resolution. */
export const ESCAPES = [
  ".",
  "..",
  "",
  "../..",
  "a/b",
  "a\\b",
  "%2e%2e",
  "%2F",
  "%5c",
  "..%2f..",
  "a\nb",
  "\u0000",
];

/** Strings of the odd kinds: empty, huge, non-ASCII, control characters, lookalikes of our prefixes. */
export function oddString(rng: Rng): string {
  switch (rng.int(12)) {
    case 0:
      return "";
    case 1:
      return "x".repeat(rng.pick([256, 4_096, 70_000]));
    case 2:
      return "日本語🙂\u202e";
    case 3:
      return "a\u0000b\r\nc";
    case 4:
      return rng.pick(ESCAPES);
    case 5:
      return `mcpg_at_${"A".repeat(rng.int(80))}`;
    case 6:
      return "<script>alert(1)</script>";
    case 7:
      return "' OR 1=1 --";
    case 8:
      return ["$", "{jndi:ldap://127.0.0.1/a}"].join("");
    case 9:
      return "__proto__";
    case 10:
      return String(rng.int(1e9));
    default:
      return "z".repeat(rng.int(40));
  }
}

/** A JSON value of any type, sometimes deeply nested or huge. */
export function oddValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 3:
    case 4:
      return oddString(rng);
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return rng.pick(["2026-13-45T00:00:00Z", "1970-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "yesterday"]);
    case 8:
      return [oddValue(rng, depth + 1), oddValue(rng, depth + 1)];
    case 9:
      return { [oddString(rng).slice(0, 30)]: oddValue(rng, depth + 1) };
    default:
      return { a: oddValue(rng, depth + 1) };
  }
}

/** Changes a valid JSON object in one or a few ways: a field of the wrong type, an extra field, one missing. */
export function mutateObject(rng: Rng, base: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(base);
  const rounds = 1 + rng.int(3);
  for (let i = 0; i < rounds; i++) {
    const keys = Object.keys(result);
    const roll = rng.int(4);
    if (roll === 0 && keys.length > 0) delete result[rng.pick(keys)];
    else if (roll === 1)
      result[rng.pick(["tenant_id", "id", "extra", "__proto__", "credentials"])] = oddValue(rng);
    else if (keys.length > 0) {
      const key = rng.pick(keys);
      const inner = result[key];
      result[key] =
        inner !== null && typeof inner === "object" && !Array.isArray(inner) && rng.chance(0.5)
          ? mutateObject(rng, inner as Record<string, unknown>)
          : oddValue(rng);
    }
  }
  return result;
}

/** Body text that is not what a JSON route expects: broken, deep, huge, or not JSON at all. */
export function brokenBody(rng: Rng, valid: string): string | Buffer {
  switch (rng.int(11)) {
    case 0:
      return valid.slice(0, Math.max(1, rng.int(valid.length)));
    case 1:
      return `${valid}}trailing`;
    case 2:
      return "[".repeat(rng.pick([65, 1_000, 20_000])) + "]".repeat(rng.pick([0, 65, 20_000]));
    case 3:
      return `${'{"a":'.repeat(rng.pick([65, 5_000]))}1${"}".repeat(5_000)}`;
    case 4:
      return `{"s":"${"x".repeat(rng.pick([60_000, 1_100_000]))}"}`;
    case 5:
      return "";
    case 6:
      return Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0xc3, 0x28]);
    case 7:
      return `\ufeff${valid}`;
    case 8:
      return '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}';
    case 9:
      return '{"a":1,"a":2,"b":"\\ud800"}';
    default:
      return "null";
  }
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=latin1",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/xml",
  "application/json, text/plain",
  "application/json;;;",
  "*/*",
  "",
];

/** A content type: usually JSON, sometimes anything else. */
export function contentType(rng: Rng): string {
  return rng.chance(0.75) ? "application/json" : rng.pick(CONTENT_TYPES);
}

/** Headers of the odd kinds, added to a request now and then. */
export function oddHeaders(rng: Rng): Record<string, string> {
  switch (rng.int(8)) {
    case 0:
      // Over Node's 16 KiB header limit only now and then: each such request costs the client a new socket.
      return { "x-huge": "h".repeat(rng.chance(0.25) ? 20_000 : rng.pick([1_000, 8_000])) };
    case 1:
      return { accept: rng.pick(["text/html", "*/*", "application/xml", "", "text/event-stream"]) };
    case 2:
      return { "mcp-protocol-version": rng.pick(["1999-01-01", "", "2025-11-25", "2026-07-28", "latest"]) };
    case 3:
      return { origin: rng.pick(["https://evil.example", "null", "https://claude.ai"]) };
    case 4:
      return { "content-encoding": rng.pick(["gzip", "br", "identity"]) };
    case 5:
      return {
        "mcp-session-id": oddString(rng)
          .replace(/[^\x21-\x7e]/g, "")
          .slice(0, 200),
      };
    case 6:
      return { "x-forwarded-for": "127.0.0.1, ::1, garbage" };
    default:
      return {};
  }
}

/** Sends requests over a bounded pool of keep-alive sockets and reads each whole answer. */
export class RawClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });

  constructor(private readonly baseUrl: string) {}

  send(call: FuzzRequest): Promise<FuzzResponse> {
    const url = new URL(this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: call.method,
          path: call.path,
          headers: {
            ...call.headers,
            ...(call.body === undefined ? {} : { "content-length": String(Buffer.byteLength(call.body)) }),
          },
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          const answer = () => ({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
          // An event stream (a legacy HTTP+SSE GET) never ends by itself: its first event is the answer,
          // then the client hangs up, as a client leaving would.
          const stream = String(res.headers["content-type"] ?? "").startsWith("text/event-stream");
          res.on("data", (chunk: Buffer) => {
            chunks.push(chunk);
            if (stream && Buffer.concat(chunks).includes("\n\n")) {
              resolve(answer());
              res.destroy();
            }
          });
          res.on("end", () => resolve(answer()));
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30 s")));
      req.on("error", reject);
      req.end(call.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Why an answer breaks the rules (no 5xx; every 4xx says what is wrong), or undefined when it keeps them. */
export function answerProblem(call: FuzzRequest, answer: FuzzResponse): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
  if (answer.status < 400 || call.method === "HEAD") return undefined;
  // A 431 is written by the HTTP server itself; when the headers overflowed past the first packet it cannot
  // see the request line, so it cannot rule out HEAD and sends no body (client-errors.ts). Its status and
  // Connection: close still say what happened.
  if (answer.status === 431 && answer.text === "" && answer.headers.connection === "close") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `answered ${answer.status} without a JSON body: ${JSON.stringify(answer.text.slice(0, 120))}`;
  }
  const record = body as { message?: unknown; error?: { message?: unknown } } | null;
  const message = record?.message ?? record?.error?.message;
  if (typeof message !== "string" || message.trim() === "") {
    return `answered ${answer.status} without a message: ${answer.text.slice(0, 200)}`;
  }
  return undefined;
}
