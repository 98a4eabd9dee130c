import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type ConsoleSession,
  csrfTokenMatches,
  resolveConsoleSession,
} from "../services/console-sessions.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type FormBody, field } from "./forms.js";
import { html } from "./html.js";
import { layout, message } from "./layout.js";
import { readCookie, sendPage, sessionCookie, sessionCookieName } from "./security.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in console user's session, on console pages behind requireConsoleSession. */
    consoleSession?: ConsoleSession;
  }
}

/** Whether the console runs over https (then its cookie is Secure and __Host- prefixed). */
export function consoleIsSecure(ctx: ServiceContext): boolean {
  return ctx.config.publicUrl.startsWith("https:");
}

/** The session id in the request's cookie, if any. */
export function sessionIdOf(ctx: ServiceContext, request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, sessionCookieName(consoleIsSecure(ctx)));
}

/** A 403 page for a request that failed the CSRF checks. */
export function sendCsrfRefusal(reply: FastifyReply, session?: ConsoleSession): FastifyReply {
  const body = html`<h1>Request refused</h1>
    ${message("error", "This request did not come from a page of this console, so it was refused. Go back to the console and try again from there.")}
    <p><a href="/console">Open the console</a></p>`;
  return sendPage(reply, layout({ title: "Request refused", session, body }), 403);
}

/**
 * preHandler for signed-in pages: a live session of the right kind (tenant or operator), and on every POST
 * the session's CSRF token in the form. No session sends the person to sign in; the other kind of user gets
 * a 404, as for a page that does not exist.
 */
export function requireConsoleSession(ctx: ServiceContext, kind: "tenant" | "operator") {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await resolveConsoleSession(ctx, sessionIdOf(ctx, request));
    if (!result.ok) {
      if (result.reason !== "missing") reply.header("set-cookie", sessionCookie(consoleIsSecure(ctx), null));
      const ended = result.reason === "missing" ? "" : "?ended=expired";
      await reply.code(303).redirect(`/console${ended}`);
      return;
    }
    const session: ConsoleSession = { user: result.user, csrfToken: result.csrfToken };
    if (session.user.kind !== kind) {
      await sendNotFound(reply, session);
      return;
    }
    if (request.method === "POST" && !csrfTokenMatches(session, field(request.body as FormBody, "csrf"))) {
      await sendCsrfRefusal(reply, session);
      return;
    }
    request.consoleSession = session;
  };
}

/** The page for anything that does not exist or is not this user's: one answer for both (no oracle). */
export function sendNotFound(reply: FastifyReply, session?: ConsoleSession): FastifyReply {
  const body = html`<h1>Not found</h1>
    <p>There is no such page, or it belongs to someone else.</p>
    <p><a href="/console">Back to the console</a></p>`;
  return sendPage(reply, layout({ title: "Not found", session, body }), 404);
}

/** The session a preHandler attached (routes behind requireConsoleSession only). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  const session = request.consoleSession;
  if (session === undefined) throw new Error("console route without requireConsoleSession");
  return session;
}

/** The signed-in tenant's id (tenant pages only). */
export function tenantOf(request: FastifyRequest): string {
  const { user } = sessionOf(request);
  if (user.kind !== "tenant") throw new Error("tenant page reached without a tenant session");
  return user.tenantId;
}
