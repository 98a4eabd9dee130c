import { readFileSync } from "node:fs";
import { isGatewayError } from "@mcp-gateway/core";
import { isStorageUnavailable } from "@mcp-gateway/store";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { logStorageUnavailable, sendError } from "../http/error-envelope.js";
import { requestContext } from "../http/request-origin.js";
import {
  csrfTokenMatches,
  endConsoleSession,
  resolveConsoleSession,
  startConsoleSession,
} from "../services/console-sessions.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { accountPages } from "./accounts.pages.js";
import { apiTokenPages } from "./api-tokens.pages.js";
import { type FormBody, field, installFormParser } from "./forms.js";
import { html } from "./html.js";
import { layout, message } from "./layout.js";
import { mcpServerRequestPages } from "./mcp-server-requests.pages.js";
import { mcpServerPages } from "./mcp-servers.pages.js";
import { isConsentReturnPath, oauthConsentPages } from "./oauth-consent.pages.js";
import { oauthGrantPages } from "./oauth-grants.pages.js";
import { CONSOLE_HEADERS, fromConsoleOrigin, sendPage, sessionCookie } from "./security.js";
import {
  consoleIsSecure,
  requireConsoleSession,
  sendCsrfRefusal,
  sendNotFound,
  sessionIdOf,
} from "./session-hooks.js";
import { tenantPages } from "./tenants.pages.js";

// Static assets live outside src/ (apps/gateway/console-assets), at the same depth from src/console and
// dist/console, so the sources (tests, tsx) and the build serve the same files with no copy step.
const assetsDir = new URL("../../console-assets/", import.meta.url);
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  "console.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("console.css", assetsDir)) },
  "console.js": {
    type: "text/javascript; charset=utf-8",
    body: readFileSync(new URL("console.js", assetsDir)),
  },
};

const ENDED_NOTICES: Record<string, string> = {
  expired: "Your session has ended. Sign in again.",
  "signed-out": "You are signed out.",
};

/** True when the client asked for a web page rather than JSON (a browser's Accept lists text/html first). */
function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? "";
  return accept.includes("text/html") && !accept.startsWith("application/json");
}

function signInPage(notice: string | undefined, refused: boolean): { value: string } {
  const body = html`<div class="card narrow">
    <h1>Sign in</h1>
    ${notice !== undefined && message("notice", notice)}
    <form method="post" action="/console/sign-in">
      <div class="field">
        <label for="token">API token</label>
        <p class="hint" id="token-hint">A tenant API token (mcpg_at_…), or the operator's GATEWAY_ADMIN_TOKEN. It is exchanged for a session and not kept in the browser.</p>
        <input type="password" id="token" name="token" autocomplete="off" required aria-describedby="token-hint${refused ? " token-error" : ""}"${refused ? html` aria-invalid="true"` : ""}>
        ${refused && html`<p class="field-error" id="token-error">This token does not open the console: it is unknown, expired or revoked.</p>`}
      </div>
      <button type="submit">Sign in</button>
    </form>
  </div>`;
  return layout({ title: "Sign in", body });
}

/** The console under /console, and `/` sending browsers there. */
export async function consolePlugin(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  // A browser asking for `/` lands on the console; API clients asking for JSON get the usual 404 envelope.
  app.get("/", async (request, reply) =>
    wantsHtml(request)
      ? reply.code(303).redirect("/console")
      : sendError(request, reply, 404, "not_found", "no such route"),
  );
  await app.register(consolePages, { ctx, prefix: "/console" });
}

async function consolePages(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const consoleOrigin = new URL(ctx.config.publicUrl).origin;
  const secure = consoleIsSecure(ctx);
  installFormParser(app);
  app.addHook("onRequest", async (request, reply) => {
    reply.headers(CONSOLE_HEADERS);
    // CSRF, first line: before the body is read, every POST must come from the console's own origin.
    if (request.method === "POST" && !fromConsoleOrigin(request, consoleOrigin)) await sendCsrfRefusal(reply);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => renderError(error, request, reply));
  app.setNotFoundHandler((_request, reply) => sendNotFound(reply));

  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.name) ? ASSETS[request.params.name] : undefined;
    if (asset === undefined) return sendNotFound(reply);
    // Assets may be cached briefly (they change only with a new gateway version).
    return reply.header("cache-control", "public, max-age=300").type(asset.type).send(asset.body);
  });

  app.get<{ Querystring: { ended?: string } }>("/", async (request, reply) => {
    const sessionId = sessionIdOf(ctx, request);
    if (sessionId !== undefined) {
      const current = await resolveConsoleSession(ctx, sessionId);
      if (current.ok) {
        return reply
          .code(303)
          .redirect(current.user.kind === "operator" ? "/console/tenants" : "/console/accounts");
      }
    }
    const ended = request.query.ended;
    const notice =
      ended !== undefined && Object.hasOwn(ENDED_NOTICES, ended) ? ENDED_NOTICES[ended] : undefined;
    return sendPage(reply, signInPage(notice, false));
  });

  app.post<{ Body: FormBody }>("/sign-in", async (request, reply) => {
    const token = field(request.body, "token");
    const started =
      token === undefined ? undefined : await startConsoleSession(requestContext(ctx, request), token);
    if (started === undefined) return sendPage(reply, signInPage(undefined, true), 401);
    // Signing in again replaces the session the browser had: the old one ends rather than idling on.
    await endConsoleSession(requestContext(ctx, request), sessionIdOf(ctx, request));
    reply.header("set-cookie", sessionCookie(secure, started.sessionId));
    // Signing in from an OAuth consent request goes back to it; nowhere else (no open redirect).
    const next = field(request.body, "next");
    return reply.code(303).redirect(next !== undefined && isConsentReturnPath(next) ? next : "/console");
  });

  app.post<{ Body: FormBody }>("/sign-out", { preHandler: signOutGuard(ctx) }, async (request, reply) => {
    await endConsoleSession(requestContext(ctx, request), sessionIdOf(ctx, request));
    reply.header("set-cookie", sessionCookie(secure, null));
    return reply.code(303).redirect("/console?ended=signed-out");
  });

  // Its own session handling: a person arriving from an OAuth client may need to sign in first.
  await app.register(oauthConsentPages, { ctx });
  await app.register(async (tenant) => {
    tenant.addHook("preHandler", requireConsoleSession(ctx, "tenant"));
    await tenant.register(accountPages, { ctx });
    await tenant.register(mcpServerPages, { ctx });
    await tenant.register(mcpServerRequestPages, { ctx });
    await tenant.register(oauthGrantPages, { ctx });
    await tenant.register(apiTokenPages, { ctx });
  });
  await app.register(async (operator) => {
    operator.addHook("preHandler", requireConsoleSession(ctx, "operator"));
    await operator.register(tenantPages, { ctx });
  });
}

/** Sign-out needs the session's CSRF token too (or anyone could sign people out); no session is signed out. */
function signOutGuard(ctx: ServiceContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const current = await resolveConsoleSession(ctx, sessionIdOf(ctx, request));
    if (!current.ok) return;
    if (!csrfTokenMatches(current, field(request.body as FormBody, "csrf"))) await sendCsrfRefusal(reply);
    // Who signs out, for the audit trail.
    request.consoleSession = { user: current.user, csrfToken: current.csrfToken };
  };
}

function renderError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = 500;
  let text =
    "Something went wrong on our side. Try again; if it keeps happening, quote this request id to the operator: ";
  if (isGatewayError(error)) {
    status = error.statusCode;
    text = `${error.message}. Request id: `;
  } else if (isStorageUnavailable(error)) {
    logStorageUnavailable(request, error);
    status = 503;
    reply.header("retry-after", "5");
    text = "The gateway's storage is unavailable right now; try again in a few seconds. Request id: ";
  } else if (typeof error.statusCode === "number" && error.statusCode < 500) {
    status = error.statusCode;
    text = "The request could not be processed. Request id: ";
  } else {
    request.log.error({ err: error }, "unhandled console error");
  }
  const body = html`<h1>${status === 404 ? "Not found" : "Something went wrong"}</h1>
    ${message("error", html`${text}<code>${request.id}</code>`)}
    <p><a href="/console">Back to the console</a></p>`;
  return sendPage(reply, layout({ title: "Error", session: request.consoleSession, body }), status);
}
