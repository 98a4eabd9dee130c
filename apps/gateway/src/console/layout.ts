import type { ConsoleSession } from "../services/console-sessions.service.js";
import { type HtmlValue, html, type SafeHtml } from "./html.js";

/** Top navigation sections; the current one is marked for people and screen readers. */
export type Section = "accounts" | "api-tokens" | "tenants";

const TENANT_NAV: [Section, string, string][] = [
  ["accounts", "Integrated accounts", "/console/accounts"],
  ["api-tokens", "API tokens", "/console/api-tokens"],
];
const OPERATOR_NAV: [Section, string, string][] = [["tenants", "Tenants", "/console/tenants"]];

/** The hidden field every signed-in form carries (CSRF token of the session). */
export function csrfField(session: ConsoleSession): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${session.csrfToken}">`;
}

function navigation(session: ConsoleSession | undefined, current: Section | undefined): SafeHtml {
  if (session === undefined) return html``;
  const items = session.user.kind === "operator" ? OPERATOR_NAV : TENANT_NAV;
  const who = session.user.kind === "operator" ? "Operator" : "Tenant";
  return html`<nav aria-label="Main">
    <ul>
      ${items.map(
        ([section, label, href]) =>
          html`<li><a class="navlink" href="${href}"${section === current ? html` aria-current="page"` : ""}>${label}</a></li>`,
      )}
      <li class="who">${who}</li>
      <li>
        <form method="post" action="/console/sign-out">${csrfField(session)}<button class="signout" type="submit">Sign out</button></form>
      </li>
    </ul>
  </nav>`;
}

/** A whole console page: skip link, top bar with navigation, one main landmark, our stylesheet and script. */
export function layout(options: {
  title: string;
  session?: ConsoleSession | undefined;
  section?: Section;
  body: HtmlValue;
}): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · MCP gateway console</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar"><div class="topbar-inner">
  <a class="brand" href="/console">MCP gateway console</a>
  ${navigation(options.session, options.section)}
</div></header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>`;
}

/** A message box: "notice" for done, "warning" for take care, "error" for refused (announced at once). */
export function message(kind: "notice" | "warning" | "error", text: HtmlValue): SafeHtml {
  const role = kind === "error" ? html` role="alert"` : kind === "notice" ? html` role="status"` : "";
  return html`<div class="${kind}"${role}>${text}</div>`;
}

/** A secret shown once: a read-only field, a "Copy" button (with the script) and a status line. */
export function copyField(id: string, label: string, value: string): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <div class="copy-row">
      <input type="text" id="${id}" value="${value}" readonly>
      <button type="button" class="secondary" data-copy-target="${id}" data-status="${id}-status" hidden>Copy</button>
    </div>
    <p class="status" id="${id}-status" role="status"></p>
  </div>`;
}

/** A preformatted block with its own "Copy" button. */
export function copyBlock(id: string, label: string, text: string): SafeHtml {
  return html`<div class="field">
    <p><strong id="${id}-label">${label}</strong></p>
    <pre id="${id}" aria-labelledby="${id}-label" tabindex="0">${text}</pre>
    <button type="button" class="secondary" data-copy-target="${id}" data-status="${id}-status" hidden>Copy</button>
    <p class="status" id="${id}-status" role="status"></p>
  </div>`;
}

/** "in 3 h", "in 2 d", "in 5 min" or "expired": time left until an ISO instant. */
export function timeLeft(iso: string, nowMs: number): string {
  const ms = Date.parse(iso) - nowMs;
  if (ms <= 0) return "expired";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `in ${Math.max(1, minutes)} min`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(ms / 86_400_000)} d`;
}

/** An ISO instant as people read it, in UTC. */
export function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
