import type { Integration } from "./format.js";
import { mem0 } from "./mem0/integration.js";

/** Every integration the gateway knows; adding one means adding its folder and one line here. */
export const integrations: Readonly<Record<string, Integration>> = Object.freeze({ [mem0.name]: mem0 });

/** The registered integration names, sorted. */
export const integrationNames: readonly string[] = Object.keys(integrations).sort();

/** The integration registered under a name, or undefined. */
export function getIntegration(name: string): Integration | undefined {
  return Object.hasOwn(integrations, name) ? integrations[name] : undefined;
}
