import { existsSync, readdirSync } from "node:fs";
import type { Integration } from "./format.js";

// Every folder beside this file that holds an `integration` module is an integration: adding one is adding
// its folder (with `integration.ts` default-exporting its Integration), and nothing else changes.
async function discover(): Promise<Record<string, Integration>> {
  const here = new URL(".", import.meta.url);
  const found: Record<string, Integration> = {};
  const folders = readdirSync(here, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    // Compiled output has integration.js; running from sources (tests, tsx) has integration.ts.
    const file = ["integration.js", "integration.ts"]
      .map((name) => new URL(`${folder}/${name}`, here))
      .find((url) => existsSync(url));
    if (file === undefined) continue;
    const module = (await import(/* @vite-ignore */ file.href)) as { default?: Integration };
    const integration = module.default;
    if (integration === undefined || typeof integration.name !== "string") {
      throw new Error(`integrations/${folder}/integration must default-export an Integration`);
    }
    if (found[integration.name] !== undefined)
      throw new Error(`two integrations are named "${integration.name}"`);
    found[integration.name] = integration;
  }
  return found;
}

/** Every integration the gateway knows, found by folder. */
export const integrations: Readonly<Record<string, Integration>> = Object.freeze(await discover());

/** The registered integration names, sorted. */
export const integrationNames: readonly string[] = Object.keys(integrations).sort();

/** The integration registered under a name, or undefined. */
export function getIntegration(name: string): Integration | undefined {
  return Object.hasOwn(integrations, name) ? integrations[name] : undefined;
}
