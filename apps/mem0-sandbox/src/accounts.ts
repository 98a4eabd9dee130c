import type { Clock } from "./clock.js";
import { type IdFactory, stableHex } from "./ids.js";
import { type HistoryEntry, ProjectStore } from "./project-store.js";

export type Role = "READER" | "OWNER";

/** A member of an org or project. */
export interface Member {
  username: string;
  email: string;
  role: Role;
}

/** An organization. */
export interface OrgRecord {
  orgId: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  members: Member[];
}

/** A project: its settings, members and all of its data. */
export interface ProjectRecord {
  projectId: string;
  orgId: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  members: Member[];
  settings: Record<string, unknown>;
  store: ProjectStore;
}

/** A webhook registered on a project. */
export interface WebhookRecord {
  webhookId: string;
  projectId: string;
  name: string;
  url: string;
  eventTypes: string[];
  isActive: boolean;
  owner: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What an API key is bound to: its user, its org and its project. */
export interface KeyBinding {
  apiKey: string;
  orgId: string;
  projectId: string;
  userEmail: string;
  username: string;
}

/** Default project settings, as GET project returns them. */
function defaultSettings(): Record<string, unknown> {
  return {
    usecase: null,
    memory_depth: "standard",
    inclusion_prompt: null,
    exclusion_prompt: null,
    custom_categories: [],
    custom_instructions: "",
    agent_custom_instructions: "",
    update_custom_instructions: null,
    summary_custom_instructions: null,
    summary_batch_size: 10,
    summary_max_tokens: null,
    expiration_date: null,
    enable_graph: true,
    multilingual: false,
    version: "v3",
    active_prompt_profile: null,
    decay: false,
  };
}

/** Keys, users, orgs, projects and webhooks of one sandbox. */
export class Accounts {
  readonly keys = new Map<string, KeyBinding>();
  readonly orgs = new Map<string, OrgRecord>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();

  constructor(
    apiKeys: string[],
    private readonly ids: IdFactory,
    private readonly clock: Clock,
    /** Told about every memory change in any project (webhook delivery). */
    private readonly onMemoryChange: (projectId: string, entry: HistoryEntry) => void = () => {},
  ) {
    for (const apiKey of apiKeys) this.bindKey(apiKey);
  }

  /** Gives a key its own user, default org and default project (ids derived from the key, so restarts agree). */
  private bindKey(apiKey: string): void {
    const tag = stableHex(apiKey, 24);
    const username = `sandbox-${tag.slice(0, 8)}`;
    const binding: KeyBinding = {
      apiKey,
      orgId: `org_${tag.slice(0, 20)}`,
      projectId: `proj_${tag.slice(4, 24)}`,
      userEmail: `${username}@sandbox.mem0.local`,
      username,
    };
    const owner: Member = { username, email: binding.userEmail, role: "OWNER" };
    const now = this.clock();
    this.orgs.set(binding.orgId, {
      orgId: binding.orgId,
      name: `${username}'s organization`,
      createdAt: now,
      updatedAt: now,
      members: [{ ...owner }],
    });
    this.createProject(binding.orgId, "default-project", "", owner, binding.projectId);
    this.keys.set(apiKey, binding);
  }

  /** Creates an org owned by `owner`. */
  createOrg(name: string, owner: Member): OrgRecord {
    const now = this.clock();
    const org: OrgRecord = {
      orgId: this.ids.uuid(),
      name,
      createdAt: now,
      updatedAt: now,
      members: [{ ...owner }],
    };
    this.orgs.set(org.orgId, org);
    return org;
  }

  /** Creates a project in an org, with `owner` as its first member. */
  createProject(orgId: string, name: string, description: string, owner: Member, id?: string): ProjectRecord {
    const now = this.clock();
    const projectId = id ?? this.ids.uuid();
    const project: ProjectRecord = {
      projectId,
      orgId,
      name,
      description,
      createdAt: now,
      updatedAt: now,
      members: [{ ...owner, role: "OWNER" }],
      settings: defaultSettings(),
      store: new ProjectStore((entry) => this.onMemoryChange(projectId, entry)),
    };
    this.projects.set(project.projectId, project);
    return project;
  }

  /** The store of the project a key is bound to (recreated empty if that project was deleted). */
  storeFor(binding: KeyBinding): ProjectStore {
    const project = this.projects.get(binding.projectId);
    if (project) return project.store;
    const owner: Member = { username: binding.username, email: binding.userEmail, role: "OWNER" };
    return this.createProject(binding.orgId, "default-project", "", owner, binding.projectId).store;
  }

  /** The org if the caller is a member, else undefined (another user's org looks missing). */
  orgFor(binding: KeyBinding, orgId: string): OrgRecord | undefined {
    const org = this.orgs.get(orgId);
    if (!org?.members.some((m) => m.email === binding.userEmail)) return undefined;
    return org;
  }

  /** The caller's role in an org, if any. */
  orgRole(binding: KeyBinding, org: OrgRecord): Role | undefined {
    return org.members.find((m) => m.email === binding.userEmail)?.role;
  }

  /** A project the caller can see: a member of the project or of its org. */
  projectFor(binding: KeyBinding, orgId: string, projectId: string): ProjectRecord | undefined {
    const org = this.orgFor(binding, orgId);
    const project = this.projects.get(projectId);
    if (!org || !project || project.orgId !== orgId) return undefined;
    return project;
  }

  /** A project by id alone, if the caller can see it (webhook paths carry only the project id). */
  projectById(binding: KeyBinding, projectId: string): ProjectRecord | undefined {
    const project = this.projects.get(projectId);
    if (!project) return undefined;
    return this.projectFor(binding, project.orgId, projectId);
  }

  /** Whether the caller may change a project: an owner of the project or of its org. */
  canManageProject(binding: KeyBinding, project: ProjectRecord): boolean {
    const projectRole = project.members.find((m) => m.email === binding.userEmail)?.role;
    const org = this.orgs.get(project.orgId);
    const orgRole = org ? this.orgRole(binding, org) : undefined;
    return projectRole === "OWNER" || orgRole === "OWNER";
  }

  /** The sandbox clock's current time. */
  now(): Date {
    return this.clock();
  }

  /** The caller as a member record. */
  memberOf(binding: KeyBinding): Member {
    return { username: binding.username, email: binding.userEmail, role: "OWNER" };
  }
}
