import type { FastifyInstance, FastifyReply } from "fastify";
import { requestContext } from "../http/request-origin.js";
import { type ConsentView, consentFor, decideAuthorization } from "../oauth/oauth-authorize.js";
import {
  type ConsoleSession,
  csrfTokenMatches,
  resolveConsoleSession,
} from "../services/console-sessions.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type FormBody, field } from "./forms.js";
import { html, type SafeHtml } from "./html.js";
import { csrfField, layout, message } from "./layout.js";
import { CONSOLE_HEADERS, sendPage } from "./security.js";
import { sendCsrfRefusal, sessionIdOf } from "./session-hooks.js";

const REQUEST_ID = /^[A-Za-z0-9_-]{32}$/;

/** The console path of a pending request's consent page (where /authorize sends the person). */
export function consentPath(requestId: string): string {
  return `/console/oauth/consent?request=${requestId}`;
}

/** True for a path sign-in may return to: a consent page, nothing else (no open redirect). */
export function isConsentReturnPath(path: string): boolean {
  const prefix = "/console/oauth/consent?request=";
  return path.startsWith(prefix) && REQUEST_ID.test(path.slice(prefix.length));
}

function signInForm(requestId: string, intro: string): SafeHtml {
  return html`<div class="card narrow">
    <h1>Sign in to approve</h1>
    <p>${intro}</p>
    <form method="post" action="/console/sign-in">
      <input type="hidden" name="next" value="${consentPath(requestId)}">
      <div class="field">
        <label for="token">API token</label>
        <p class="hint" id="token-hint">An API token of the tenant that owns the MCP server. It is exchanged for a console session and not kept in the browser.</p>
        <input type="password" id="token" name="token" autocomplete="off" required aria-describedby="token-hint">
      </div>
      <button type="submit">Sign in</button>
    </form>
  </div>`;
}

function consentPage(view: ConsentView, session: ConsoleSession): SafeHtml {
  const vouched =
    view.clientKind === "metadata_document"
      ? html`Its name comes from a metadata document published at <strong>${view.clientIdHost}</strong>.`
      : html`It registered itself with this gateway; its name is not verified.`;
  const body = html`<div class="card">
    <h1>Allow access to an MCP server?</h1>
    <p><strong>${view.clientName}</strong> wants to use the MCP server <strong>${view.serverName}</strong> on your behalf. ${vouched}</p>
    <dl class="facts">
      <dt>Client</dt><dd>${view.clientName}</dd>
      <dt>Sends you back to</dt><dd><code>${view.redirectHost}</code></dd>
      <dt>MCP server</dt><dd>${view.serverName}</dd>
    </dl>
    ${view.redirectIsLoopback && message("warning", "This client receives the answer on this computer (a local address). Approve only if you started the connection yourself, from a program on this machine.")}
    <h2>Tools it will be able to call (${view.tools.length})</h2>
    <ul class="tool-list">
      ${view.tools.map(
        (tool) =>
          html`<li><code>${tool.name}</code>${tool.annotations?.readOnlyHint ? " (read-only)" : ""}${tool.annotations?.destructiveHint ? " (can delete or overwrite)" : ""}</li>`,
      )}
    </ul>
    <p>You can revoke this access at any time on the MCP server's "OAuth grants" page.</p>
    <form method="post" action="/console/oauth/consent">
      ${csrfField(session)}
      <input type="hidden" name="request" value="${view.requestId}">
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
    </form>
  </div>`;
  return layout({ title: "Approve access", session, body });
}

function problemPage(
  title: string,
  text: string,
  session: ConsoleSession | undefined,
  extra?: SafeHtml,
): SafeHtml {
  return layout({
    title,
    session,
    body: html`<h1>${title}</h1>${message("error", text)}${extra}`,
  });
}

const LOOKUP_FAILURES = {
  expired: {
    status: 404,
    title: "Request expired",
    text: "This sign-in request has expired or was already answered. Start again from your MCP client.",
  },
  other_tenant: {
    status: 403,
    title: "Not your MCP server",
    text: "Only a user of the tenant that owns this MCP server can approve access to it. Sign in with one of that tenant's API tokens.",
  },
  server_gone: {
    status: 404,
    title: "MCP server gone",
    text: "The MCP server this request is for has been revoked or has expired.",
  },
} as const;

/**
 * The consent page for OAuth clients: /authorize sends the person here; they sign in (a console session of
 * the server's tenant) and choose "Approve" or "Deny". The form may post only here, and the answer may
 * redirect only to the client's redirect URI (the page's CSP form-action names both).
 */
export async function oauthConsentPages(
  app: FastifyInstance,
  { ctx }: { ctx: ServiceContext },
): Promise<void> {
  app.get<{ Querystring: { request?: string; hop?: string } }>("/oauth/consent", async (request, reply) => {
    const requestId = request.query.request ?? "";
    if (!REQUEST_ID.test(requestId))
      return sendPage(reply, problemPage("Request expired", LOOKUP_FAILURES.expired.text, undefined), 404);
    const current = await resolveConsoleSession(ctx, sessionIdOf(ctx, request));
    if (!current.ok) {
      // Arriving from the client's site, a SameSite=Strict cookie is not sent. One same-origin hop (a meta
      // refresh, initiated by this page) brings it along; if there is still none, the person signs in here.
      if (request.query.hop === undefined) return sendHop(reply, requestId);
      return sendPage(
        reply,
        layout({
          title: "Sign in",
          body: signInForm(
            requestId,
            "An MCP client asks to use one of your MCP servers. Sign in to see the request and approve or deny it.",
          ),
        }),
      );
    }
    const session: ConsoleSession = { user: current.user, csrfToken: current.csrfToken };
    const consent = await consentFor(ctx, requestId, session.user);
    if (!consent.ok) return sendLookupFailure(reply, consent.reason, requestId, session);
    reply.header("content-security-policy", consentCsp(consent.view.redirectUri));
    return sendPage(reply, consentPage(consent.view, session));
  });

  app.post<{ Body: FormBody }>("/oauth/consent", async (request, reply) => {
    const current = await resolveConsoleSession(ctx, sessionIdOf(ctx, request));
    const requestId = field(request.body, "request") ?? "";
    if (!current.ok)
      return sendPage(
        reply,
        layout({
          title: "Sign in",
          body: signInForm(requestId, "Your session ended. Sign in again to answer the request."),
        }),
        401,
      );
    const session: ConsoleSession = { user: current.user, csrfToken: current.csrfToken };
    if (!csrfTokenMatches(session, field(request.body, "csrf"))) return sendCsrfRefusal(reply, session);
    const decision = field(request.body, "decision");
    if (!REQUEST_ID.test(requestId) || (decision !== "approve" && decision !== "deny")) {
      return sendPage(
        reply,
        problemPage("Request refused", "Choose Approve or Deny on the consent page.", session),
        400,
      );
    }
    // The approval is audited as the signed-in user's.
    request.consoleSession = session;
    const outcome = await decideAuthorization(
      requestContext(ctx, request),
      requestId,
      session.user,
      decision === "approve",
    );
    if (!outcome.ok) return sendLookupFailure(reply, outcome.reason, requestId, session);
    // 302, not 307: a 307 would repeat the POST at the client's callback (Claude answers that with 405).
    return reply.code(302).header("location", outcome.location).send();
  });
}

function sendLookupFailure(
  reply: FastifyReply,
  reason: keyof typeof LOOKUP_FAILURES,
  requestId: string,
  session: ConsoleSession,
): FastifyReply {
  const failure = LOOKUP_FAILURES[reason];
  const extra =
    reason === "other_tenant"
      ? signInForm(requestId, "Sign in as a user of the tenant that owns the MCP server.")
      : undefined;
  return sendPage(reply, problemPage(failure.title, failure.text, session, extra), failure.status);
}

function sendHop(reply: FastifyReply, requestId: string): FastifyReply {
  const next = `${consentPath(requestId)}&hop=1`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}">
<title>Continue · MCP gateway console</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body><main id="main"><p><a href="${next}">Continue to the consent page</a></p></main></body></html>`;
  return sendPage(reply, page);
}

/** A CSP source expression for an origin: scheme://host[:port] with nothing that could end the directive. */
const CSP_ORIGIN = /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The console CSP, with form-action widened to the one origin the consent answer redirects to. The origin goes
 * into a header, so one that is not plainly scheme://host[:port] (a host with `;`, `,`, quotes or spaces could
 * add directives) is left out: the form still posts to the console, only the browser may then block the
 * redirect.
 */
function consentCsp(redirectUri: string): string {
  const origin = new URL(redirectUri).origin;
  const csp = CONSOLE_HEADERS["content-security-policy"];
  return CSP_ORIGIN.test(origin) ? csp.replace("form-action 'self'", `form-action 'self' ${origin}`) : csp;
}
