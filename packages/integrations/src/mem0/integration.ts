import type { Integration } from "../format.js";
import { mem0Resources } from "./catalogue.js";
import { mem0Scope } from "./scope-rules.js";

/** Mem0's hosted Platform API (https://api.mem0.ai), the first integration. */
export const mem0: Integration = {
  name: "mem0",
  title: "Mem0",
  defaultBaseUrl: "https://api.mem0.ai",
  // Mem0 uses the "Token" scheme, not "Bearer" (api.md §1.1).
  auth: { header: "Authorization", prefix: "Token ", credential: "api_key" },
  credentialFields: ["api_key"],
  // The key implies its organization and project; ping names them (api.md §1.3).
  context: { path: "/v1/ping/", fields: { org_id: "org_id", project_id: "project_id" } },
  resources: mem0Resources,
  scope: mem0Scope,
};

export default mem0;
