import { defineConfig } from "vitest/config";

// Three tiers, told apart by file name:
//   *.test.ts      unit: pure code, no I/O
//   *.int.test.ts  integration: a real Redis (see test/support/redis.ts) and in-process HTTP servers
//   *.e2e.test.ts  end to end: built processes and real MCP clients
//   *.fault.test.ts  fault tier: seeded fuzzing, Redis killed under load, broken log pipes, slow clients
const unitInclude = ["{packages,apps,migrations,test}/**/test/**/*.test.ts"];
const integrationInclude = ["{packages,apps,migrations,test}/**/test/**/*.int.test.ts"];
const e2eInclude = ["{packages,apps,migrations,test}/**/test/**/*.e2e.test.ts"];
const faultInclude = ["{packages,apps,migrations,test}/**/test/**/*.fault.test.ts"];
const exclude = ["**/node_modules/**", "**/dist/**"];

export default defineConfig({
  // Workspace packages export their TypeScript sources under the "@mcp-gateway/source" condition, so tests
  // run against src/ without a build step. The name is our own: third-party packages that publish a plain
  // "source" export (TypeScript Node 20 cannot load) are not affected.
  resolve: { conditions: ["@mcp-gateway/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@mcp-gateway/source", "module", "node", "default"] } },
  test: {
    globalSetup: ["test/support/redis-global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: unitInclude,
          exclude: [...exclude, ...integrationInclude, ...e2eInclude, ...faultInclude],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: integrationInclude,
          exclude,
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: { name: "e2e", include: e2eInclude, exclude, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: "fault", include: faultInclude, exclude, testTimeout: 120_000, hookTimeout: 60_000 },
      },
    ],
  },
});
