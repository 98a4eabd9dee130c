import type { ArgumentParameter, BehaviourHints, ContextParameter } from "../format.js";
import { idParameter } from "./schemas.js";

/** Pieces every part of the Mem0 catalogue shares: behaviour hints and the account's org and project. */

export const read: BehaviourHints = { readOnly: true, destructive: false, idempotent: true };
export const additive: BehaviourHints = { readOnly: false, destructive: false, idempotent: false };
export const overwrite: BehaviourHints = { readOnly: false, destructive: true, idempotent: true };
export const removal: BehaviourHints = { readOnly: false, destructive: true, idempotent: true };

export const ORG: ContextParameter = { name: "org_id", in: "path", fromContext: "org_id" };
export const PROJECT: ContextParameter = { name: "project_id", in: "path", fromContext: "project_id" };
export const ORG_PATH = "/api/v1/orgs/organizations/{org_id}";
export const PROJECT_PATH = `${ORG_PATH}/projects/{project_id}`;

// An organization or project other than the account's own can be named by id (one the model created or
// listed); reads and updates default to the account's own, deletes must name their target.
export const orgId = (required: boolean): ArgumentParameter => ({
  ...idParameter("org_id"),
  required,
  ...(required ? {} : { defaultFromContext: "org_id" }),
});
export const projectId = (required: boolean): ArgumentParameter => ({
  ...idParameter("project_id"),
  required,
  ...(required ? {} : { defaultFromContext: "project_id" }),
});
