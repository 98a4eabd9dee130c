/** Plain-HTTP helpers for console tests: a cookie jar of one session, forms posted as a browser posts them. */
import type { TestStack } from "../../../test/support/gateway.js";

export interface ConsoleResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/** A browser-like console client: keeps the session cookie, sends the console's Origin on posts. */
export interface ConsoleClient {
  cookie: string | undefined;
  get(path: string, headers?: Record<string, string>): Promise<ConsoleResponse>;
  post(
    path: string,
    form: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<ConsoleResponse>;
  /** The CSRF token in a page's forms. */
  csrfFrom(page: ConsoleResponse): string;
  signIn(token: string): Promise<ConsoleResponse>;
}

function formBody(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

/** A console client for a stack; `origin` defaults to the stack's public URL. */
export function consoleClient(stack: TestStack, origin = stack.config.publicUrl): ConsoleClient {
  const client: ConsoleClient = {
    cookie: undefined,
    async get(path, headers = {}) {
      return send("GET", path, undefined, headers);
    },
    async post(path, form, headers = {}) {
      return send("POST", path, formBody(form), { origin, ...headers });
    },
    csrfFrom(page) {
      const match = /name="csrf" value="([^"]+)"/.exec(page.text);
      if (!match?.[1]) throw new Error("no CSRF token on the page");
      return match[1];
    },
    async signIn(token) {
      return client.post("/console/sign-in", { token });
    },
  };
  async function send(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<ConsoleResponse> {
    const response = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      redirect: "manual",
      headers: {
        accept: "text/html",
        ...(client.cookie === undefined ? {} : { cookie: client.cookie }),
        ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie !== null) {
      const pair = setCookie.split(";")[0] ?? "";
      client.cookie = pair.endsWith("=") ? undefined : pair;
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get("location"),
    };
  }
  return client;
}
