import type { HtmlValue } from "./html.js";
import { html } from "./html.js";

// The shapes the console reads from the services' views (apps/gateway/src/services/views.ts).

export interface AccountView {
  id: string;
  integration: string;
  name: string;
  context: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface McpServerView {
  id: string;
  name: string;
  integrated_account_id: string;
  config: {
    methods: string[] | null;
    tags: string[] | null;
    require_api_token_auth: boolean;
    tool_exposure: "all" | "discovery";
    scope: Record<string, string> | null;
  };
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiTokenView {
  id: string;
  name: string;
  expires_at: string | null;
  created_at: string;
}

export interface TenantView {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

/** Narrows a service's view to the shape the console renders. */
export function as<T>(view: Record<string, unknown>): T {
  return view as unknown as T;
}

const ID = /^(ten|acc|mcp|tok)_[a-z2-7]{26}$/;

/** True when a path segment is an id of the expected kind (anything else is a 404 without a lookup). */
export function isId(kind: "ten" | "acc" | "mcp" | "tok", value: string): boolean {
  return ID.test(value) && value.startsWith(`${kind}_`);
}

/** A list shown as comma-separated code, or a word for "no filter". */
export function filterText(values: readonly string[] | null, none: string): HtmlValue {
  if (values === null || values.length === 0) return html`<span class="muted">${none}</span>`;
  return values.map((v, i) => html`${i > 0 ? ", " : ""}<code>${v}</code>`);
}
