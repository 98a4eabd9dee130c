import { html, type SafeHtml } from "./html.js";

/** The account page's tabs: links, the current one marked with aria-current. */
export function accountTabs(accountId: string, current: "overview" | "servers"): SafeHtml {
  const tab = (key: "overview" | "servers", label: string, href: string) =>
    html`<li><a class="tab" href="${href}"${key === current ? html` aria-current="page"` : ""}>${label}</a></li>`;
  return html`<nav aria-label="Account sections"><ul class="tabs">
    ${tab("overview", "Overview", `/console/accounts/${accountId}`)}
    ${tab("servers", "MCP Servers", `/console/accounts/${accountId}/servers`)}
  </ul></nav>`;
}
