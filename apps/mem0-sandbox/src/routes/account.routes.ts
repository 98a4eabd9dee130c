import type { FastifyInstance } from "fastify";
import {
  createOrg,
  createProject,
  deleteOrg,
  deleteProject,
  getOrg,
  getProject,
  listOrgs,
  listProjects,
  orgMembers,
  projectMembers,
  updateProject,
} from "../account.service.js";
import { isObject, type SandboxContext } from "../context.js";
import { callerOf } from "../request-guards.js";
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from "../webhooks.service.js";
import { param, queryOf, send } from "./reply.js";

const ORGS = "/api/v1/orgs/organizations/";
const ORG = `${ORGS}:org_id/`;
const PROJECT = `${ORG}projects/:project_id/`;

/** Organizations, projects, their members, and webhooks. */
export function registerAccountRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const accounts = ctx.accounts;
  const who = (request: Parameters<typeof callerOf>[0]) => callerOf(request).binding;

  app.get(ORGS, async (request, reply) => send(reply, listOrgs(accounts, who(request))));
  app.post(ORGS, async (request, reply) => send(reply, createOrg(accounts, who(request), request.body)));
  app.get(ORG, async (request, reply) =>
    send(reply, getOrg(accounts, who(request), param(request.params, "org_id"))),
  );
  app.delete(ORG, async (request, reply) =>
    send(reply, deleteOrg(accounts, who(request), param(request.params, "org_id"))),
  );
  for (const method of ["GET", "POST", "PUT", "DELETE"] as const) {
    app.route({
      method,
      url: `${ORG}members/`,
      handler: async (request, reply) =>
        send(
          reply,
          orgMembers(accounts, who(request), param(request.params, "org_id"), method, request.body),
        ),
    });
  }

  app.get(`${ORG}projects/`, async (request, reply) =>
    send(reply, listProjects(accounts, who(request), param(request.params, "org_id"))),
  );
  app.post(`${ORG}projects/`, async (request, reply) =>
    send(reply, createProject(accounts, who(request), param(request.params, "org_id"), request.body)),
  );
  app.get(PROJECT, async (request, reply) => {
    const { org_id, project_id } = request.params as Record<string, string>;
    return send(
      reply,
      getProject(accounts, who(request), org_id ?? "", project_id ?? "", queryOf(request.query).fields),
    );
  });
  app.patch(PROJECT, async (request, reply) => {
    const { org_id, project_id } = request.params as Record<string, string>;
    return send(reply, updateProject(accounts, who(request), org_id ?? "", project_id ?? "", request.body));
  });
  app.delete(PROJECT, async (request, reply) => {
    const { org_id, project_id } = request.params as Record<string, string>;
    return send(reply, deleteProject(accounts, who(request), org_id ?? "", project_id ?? ""));
  });
  for (const method of ["GET", "POST", "PUT", "DELETE"] as const) {
    app.route({
      method,
      url: `${PROJECT}members/`,
      handler: async (request, reply) => {
        const ids = {
          orgId: param(request.params, "org_id"),
          projectId: param(request.params, "project_id"),
        };
        // Project member removal takes the email from the query string, the others from the body.
        const input =
          method === "DELETE" ? queryOf(request.query) : isObject(request.body) ? request.body : {};
        return send(reply, projectMembers(accounts, who(request), ids, method, input));
      },
    });
  }

  app.get("/api/v1/webhooks/projects/:project_id/", async (request, reply) =>
    send(reply, listWebhooks(accounts, who(request), param(request.params, "project_id"))),
  );
  app.post("/api/v1/webhooks/projects/:project_id/", async (request, reply) =>
    send(
      reply,
      createWebhook(accounts, ctx.ids, who(request), param(request.params, "project_id"), request.body),
    ),
  );
  app.put("/api/v1/webhooks/:webhook_id/", async (request, reply) =>
    send(reply, updateWebhook(accounts, who(request), param(request.params, "webhook_id"), request.body)),
  );
  app.delete("/api/v1/webhooks/:webhook_id/", async (request, reply) =>
    send(reply, deleteWebhook(accounts, who(request), param(request.params, "webhook_id"))),
  );
}
