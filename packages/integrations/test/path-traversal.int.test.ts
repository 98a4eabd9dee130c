import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allTools,
  checkArguments,
  executeTool,
  findTool,
  type Integration,
  mem0,
  pathFitsTemplate,
  type Tool,
} from "../src/index.js";
import { notesIntegration } from "./support/notes-integration.js";

// Values that are not one literal path segment. Each would make URL resolution climb or split the
// segment, so a URL minted for one endpoint could reach another (the reported escape: a project id of
// ".." turned "get a project" into "get the organization").
const escapes = [".", "..", "", "a/b", "../..", "a\\b", "%2e%2e", "%2E", "x%2fy", "%5c", "a\nb"];

const pathTools = (integration: Integration): Tool[] =>
  allTools(integration).filter((tool) => tool.http.parameters.some((p) => p.in === "path"));

// Every upstream request the tests provoke lands here, so "refused before any upstream call" is counted.
let upstream: Server;
let baseUrl: string;
const received: string[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" }).end('{"id":"x","name":"p"}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe("path parameters are single literal segments", () => {
  for (const integration of [mem0, notesIntegration]) {
    const tools = pathTools(integration);

    it(`${integration.name}: has tools with path parameters to check`, () => {
      expect(tools.length).toBeGreaterThan(0);
    });

    it(`${integration.name}: every path parameter of every tool refuses every escape, naming the parameter`, () => {
      for (const tool of tools) {
        for (const parameter of tool.http.parameters.filter((p) => p.in === "path")) {
          for (const value of escapes) {
            const args = { ...tool.example, [parameter.name]: value };
            const result = checkArguments(tool, args);
            expect(result.ok, `${tool.name} ${parameter.name}=${JSON.stringify(value)}`).toBe(false);
            if (!result.ok) expect(result.message).toContain(parameter.name);
          }
        }
      }
    });

    it(`${integration.name}: an escape never reaches the upstream, whatever the tool`, async () => {
      received.length = 0;
      for (const tool of tools) {
        for (const parameter of tool.http.parameters.filter((p) => p.in === "path")) {
          for (const value of escapes) {
            const args = { ...tool.example, [parameter.name]: value };
            const result = await executeTool(tool, args, account, { baseUrl });
            expect(result).toMatchObject({ ok: false, kind: "invalid_arguments" });
          }
        }
      }
      expect(received).toEqual([]);
    });
  }

  it("still calls the upstream with an ordinary id, on exactly the template's path", async () => {
    received.length = 0;
    const getProject = findTool(mem0, "get_single_mem_0_project_by_id") as Tool;
    const result = await executeTool(getProject, { id: "proj_2" }, account, { baseUrl });
    expect(result.ok).toBe(true);
    expect(received).toEqual(["GET /api/v1/orgs/organizations/org_1/projects/proj_2/"]);
  });

  it("refuses account context that would leave the template, before any upstream call", async () => {
    // The executor's last check covers values the model never typed (here org_id from the account).
    received.length = 0;
    const getProject = findTool(mem0, "get_single_mem_0_project_by_id") as Tool;
    for (const orgId of ["..", "a/b", "."]) {
      const poisoned = { credentials: account.credentials, context: { org_id: orgId, project_id: "p" } };
      const result = await executeTool(getProject, { id: "proj_2" }, poisoned, { baseUrl });
      expect(result).toMatchObject({ ok: false, kind: "invalid_arguments" });
    }
    expect(received).toEqual([]);
  });

  it("keeps a base URL's path prefix when checking the template", async () => {
    received.length = 0;
    const getProject = findTool(mem0, "get_single_mem_0_project_by_id") as Tool;
    const result = await executeTool(getProject, { id: "proj_2" }, account, { baseUrl: `${baseUrl}/mem0/` });
    expect(result.ok).toBe(true);
    expect(received).toEqual(["GET /mem0/api/v1/orgs/organizations/org_1/projects/proj_2/"]);
  });
});

describe("pathFitsTemplate", () => {
  const template = "/v1/orgs/{org}/projects/{id}/";

  it("accepts a path with the template's literal segments and one id per placeholder", () => {
    expect(pathFitsTemplate(template, "/v1/orgs/o1/projects/p%20q/")).toBe(true);
  });

  it("refuses paths that climbed, grew or changed a literal segment", () => {
    expect(pathFitsTemplate(template, "/v1/orgs/o1/")).toBe(false);
    expect(pathFitsTemplate(template, "/v1/orgs/o1/projects/p/extra/")).toBe(false);
    expect(pathFitsTemplate(template, "/v1/orgs/o1/members/p/")).toBe(false);
    expect(pathFitsTemplate(template, "/v1/orgs/o1/projects/%2e%2e/")).toBe(false);
    expect(pathFitsTemplate(template, "/v1/orgs/o1/projects/a%2Fb/")).toBe(false);
    expect(pathFitsTemplate(template, "/v1/orgs/o1/projects/%E0%A4%A/")).toBe(false);
  });
});

const account = {
  credentials: { api_key: "m0-test", key: "n-test" },
  context: { org_id: "org_1", project_id: "proj_1" },
};
