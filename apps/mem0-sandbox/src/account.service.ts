import type { Accounts, KeyBinding, Member, OrgRecord, ProjectRecord, Role } from "./accounts.js";
import { formatTimestamp } from "./clock.js";
import { type Answer, isObject, ok } from "./context.js";

/** Organizations and projects, with their members (api.md §3.17–3.18). Org and project errors use `message`. */

const ROLES: Role[] = ["READER", "OWNER"];
const ORG_NOT_FOUND: Answer = { status: 404, body: { message: "Organization not found" } };
const PROJECT_NOT_FOUND: Answer = { status: 404, body: { message: "Organization or project not found" } };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function message(status: number, text: string): Answer {
  return { status, body: { message: text } };
}

function memberJson(member: Member): Record<string, unknown> {
  return { username: member.username, role: member.role, email: member.email };
}

function orgJson(accounts: Accounts, binding: KeyBinding, org: OrgRecord): Record<string, unknown> {
  const role = accounts.orgRole(binding, org);
  return {
    org_id: org.orgId,
    name: org.name,
    created_at: formatTimestamp(org.createdAt),
    updated_at: formatTimestamp(org.updatedAt),
    members: org.members.map(memberJson),
    is_default: org.orgId === binding.orgId,
    byok_enabled: false,
    invitations: [],
    // Sandbox accounts are on a paid plan, so Dream (Pro and above) answers instead of 403 upgrade_required.
    owner_pricing_plan: "PRO",
    is_owner: role === "OWNER",
    user_role: role ?? null,
  };
}

/** Field errors for a `{email, role}` member body, in the org endpoints' `{"errors": {...}}` style. */
function memberErrors(body: Record<string, unknown>, needRole: boolean): Record<string, string[]> | null {
  const errors: Record<string, string[]> = {};
  if (typeof body.email !== "string" || body.email === "") errors.email = ["This field is required."];
  else if (!EMAIL.test(body.email)) errors.email = ["Enter a valid email address."];
  if (needRole) {
    if (body.role === undefined) errors.role = ["This field is required."];
    else if (!ROLES.includes(body.role as Role))
      errors.role = [`"${String(body.role)}" is not a valid choice.`];
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function usernameOf(email: string): string {
  return email.split("@")[0] ?? email;
}

/** GET /api/v1/orgs/organizations/. */
export function listOrgs(accounts: Accounts, binding: KeyBinding): Answer {
  const orgs = [...accounts.orgs.values()].filter((org) => accounts.orgRole(binding, org) !== undefined);
  return ok(orgs.map((org) => orgJson(accounts, binding, org)));
}

/** POST /api/v1/orgs/organizations/. */
export function createOrg(accounts: Accounts, binding: KeyBinding, body: unknown): Answer {
  const input = isObject(body) ? body : {};
  if (typeof input.name !== "string" || input.name.trim() === "")
    return { status: 400, body: { errors: { name: ["This field is required."] } } };
  const org = accounts.createOrg(input.name.trim(), accounts.memberOf(binding));
  return { status: 201, body: { message: "Organization created successfully.", org_id: org.orgId } };
}

/** GET /api/v1/orgs/organizations/{org_id}/. */
export function getOrg(accounts: Accounts, binding: KeyBinding, orgId: string): Answer {
  const org = accounts.orgFor(binding, orgId);
  return org ? ok(orgJson(accounts, binding, org)) : ORG_NOT_FOUND;
}

/** DELETE /api/v1/orgs/organizations/{org_id}/: owners only, and never the org a key is bound to. */
export function deleteOrg(accounts: Accounts, binding: KeyBinding, orgId: string): Answer {
  const org = accounts.orgFor(binding, orgId);
  if (!org) return ORG_NOT_FOUND;
  const boundToKey = [...accounts.keys.values()].some((k) => k.orgId === orgId);
  if (accounts.orgRole(binding, org) !== "OWNER" || boundToKey) return message(403, "Unauthorized");
  for (const project of [...accounts.projects.values()]) {
    if (project.orgId === orgId) removeProject(accounts, project);
  }
  accounts.orgs.delete(orgId);
  return ok({ message: "Organization deleted successfully!" });
}

/** The org members endpoint (GET/POST/PUT/DELETE). */
export function orgMembers(
  accounts: Accounts,
  binding: KeyBinding,
  orgId: string,
  method: string,
  body: unknown,
): Answer {
  const org = accounts.orgFor(binding, orgId);
  if (!org) return ORG_NOT_FOUND;
  if (method === "GET")
    return ok({ members: org.members.map((m) => ({ user_id: m.username, role: m.role })) });
  const input = isObject(body) ? body : {};
  const errors = memberErrors(input, method !== "DELETE");
  if (errors) return { status: 400, body: { errors } };
  if (accounts.orgRole(binding, org) !== "OWNER") return message(403, "Unauthorized");
  const email = String(input.email);
  const existing = org.members.find((m) => m.email === email);
  if (method === "POST") {
    if (existing)
      return { status: 400, body: { errors: { email: ["User is already a member of the organization."] } } };
    org.members.push({ username: usernameOf(email), email, role: input.role as Role });
    return { status: 201, body: { message: "User added to the organization." } };
  }
  if (!existing) return message(404, "User not found in the organization.");
  if (method === "PUT") {
    existing.role = input.role as Role;
    return ok({ message: "User role updated successfully" });
  }
  org.members.splice(org.members.indexOf(existing), 1);
  return ok({ message: "User removed from organization." });
}

function projectJson(
  accounts: Accounts,
  binding: KeyBinding,
  project: ProjectRecord,
): Record<string, unknown> {
  const role = project.members.find((m) => m.email === binding.userEmail)?.role ?? null;
  return {
    project_id: project.projectId,
    name: project.name,
    description: project.description,
    created_at: formatTimestamp(project.createdAt),
    updated_at: formatTimestamp(project.updatedAt),
    members: project.members.map(memberJson),
    ...project.settings,
    is_default: project.projectId === binding.projectId,
    user_role: role ?? (accounts.canManageProject(binding, project) ? "OWNER" : null),
  };
}

/** GET …/projects/. */
export function listProjects(accounts: Accounts, binding: KeyBinding, orgId: string): Answer {
  if (!accounts.orgFor(binding, orgId)) return ORG_NOT_FOUND;
  const projects = [...accounts.projects.values()].filter((p) => p.orgId === orgId);
  return ok(projects.map((p) => projectJson(accounts, binding, p)));
}

/** POST …/projects/ (200, not 201, per the spec). */
export function createProject(accounts: Accounts, binding: KeyBinding, orgId: string, body: unknown): Answer {
  const org = accounts.orgFor(binding, orgId);
  if (!org) return ORG_NOT_FOUND;
  if (accounts.orgRole(binding, org) !== "OWNER")
    return message(403, "Unauthorized to create projects in this organization.");
  const input = isObject(body) ? body : {};
  if (typeof input.name !== "string" || input.name.trim() === "")
    return message(400, "Project could not be created.");
  const description = typeof input.description === "string" ? input.description : "";
  const project = accounts.createProject(orgId, input.name.trim(), description, accounts.memberOf(binding));
  return ok({ message: "Project created successfully.", project_id: project.projectId });
}

/** GET …/projects/{id}/, optionally narrowed by repeated `fields`. */
export function getProject(
  accounts: Accounts,
  binding: KeyBinding,
  orgId: string,
  projectId: string,
  fields: unknown,
): Answer {
  const project = accounts.projectFor(binding, orgId, projectId);
  if (!project) return PROJECT_NOT_FOUND;
  const json = projectJson(accounts, binding, project);
  const wanted = (Array.isArray(fields) ? fields : fields === undefined ? [] : [fields]).map(String);
  if (wanted.length === 0) return ok(json);
  return ok(Object.fromEntries(Object.entries(json).filter(([key]) => wanted.includes(key))));
}

const PATCHABLE: Record<string, (v: unknown) => boolean> = {
  name: (v) => typeof v === "string" && v.trim() !== "",
  description: (v) => typeof v === "string",
  custom_instructions: (v) => typeof v === "string" || Array.isArray(v),
  agent_custom_instructions: (v) => typeof v === "string",
  custom_categories: (v) => Array.isArray(v),
  multilingual: (v) => typeof v === "boolean",
  memory_depth: (v) => typeof v === "string",
  decay: (v) => typeof v === "boolean",
  enable_graph: (v) => typeof v === "boolean",
  version: (v) => typeof v === "string",
  usecase_setting: (v) => typeof v === "string",
};

/** PATCH …/projects/{id}/. */
export function updateProject(
  accounts: Accounts,
  binding: KeyBinding,
  orgId: string,
  projectId: string,
  body: unknown,
): Answer {
  const project = accounts.projectFor(binding, orgId, projectId);
  if (!project) return PROJECT_NOT_FOUND;
  if (!accounts.canManageProject(binding, project))
    return message(403, "Unauthorized to modify this project.");
  const input = isObject(body) ? body : {};
  const bad = Object.entries(input).find(
    ([key, value]) => PATCHABLE[key] !== undefined && !PATCHABLE[key](value),
  );
  if (bad) return message(400, `Invalid value for ${bad[0]}.`);
  for (const [key, value] of Object.entries(input)) {
    if (key === "name") project.name = String(value).trim();
    else if (key === "description") project.description = String(value);
    else if (key === "usecase_setting") project.settings.usecase = value;
    else if (PATCHABLE[key]) project.settings[key] = value;
  }
  project.updatedAt = accounts.now();
  return ok({ message: "Project updated successfully" });
}

function removeProject(accounts: Accounts, project: ProjectRecord): void {
  accounts.projects.delete(project.projectId);
  for (const [id, hook] of accounts.webhooks)
    if (hook.projectId === project.projectId) accounts.webhooks.delete(id);
}

/** DELETE …/projects/{id}/: never the project a key is bound to. */
export function deleteProject(
  accounts: Accounts,
  binding: KeyBinding,
  orgId: string,
  projectId: string,
): Answer {
  const project = accounts.projectFor(binding, orgId, projectId);
  if (!project) return PROJECT_NOT_FOUND;
  const boundToKey = [...accounts.keys.values()].some((k) => k.projectId === projectId);
  if (!accounts.canManageProject(binding, project) || boundToKey)
    return message(403, "Unauthorized to modify this project.");
  removeProject(accounts, project);
  return ok({ message: "Project and related data deleted successfully." });
}

/** The project members endpoint; DELETE takes `?email=` (unlike the org endpoint's body). */
export function projectMembers(
  accounts: Accounts,
  binding: KeyBinding,
  ids: { orgId: string; projectId: string },
  method: string,
  input: Record<string, unknown>,
): Answer {
  const project = accounts.projectFor(binding, ids.orgId, ids.projectId);
  if (!project) return PROJECT_NOT_FOUND;
  if (method === "GET")
    return ok({ members: project.members.map((m) => ({ username: m.username, role: m.role })) });
  const errors = memberErrors(input, method !== "DELETE");
  if (errors)
    return message(
      400,
      Object.entries(errors)
        .map(([k, v]) => `${k}: ${v.join(" ")}`)
        .join(" "),
    );
  if (!accounts.canManageProject(binding, project))
    return message(403, "Unauthorized to modify project members.");
  const email = String(input.email);
  const existing = project.members.find((m) => m.email === email);
  if (method === "POST") {
    if (existing) return message(400, "User is already a member of the project.");
    project.members.push({ username: usernameOf(email), email, role: input.role as Role });
    return ok({ message: "User added to the project successfully." });
  }
  if (!existing) return message(404, "User not found in the project.");
  if (method === "PUT") {
    existing.role = input.role as Role;
    return ok({ message: "User role updated successfully." });
  }
  project.members.splice(project.members.indexOf(existing), 1);
  return ok({ message: "Member removed from the project" });
}
