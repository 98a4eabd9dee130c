/**
 * Workaround, imported before the MCP client SDK: vitest starts its workers with `--conditions source` (the
 * root config's condition for our workspace sources), and Node then resolves third-party packages that
 * also publish a "source" export to TypeScript it cannot load (the client's `eventsource` dependency does).
 * This resolve hook drops that condition for imports made from inside node_modules. Remove it once the
 * workspace packages use a condition name of their own.
 */
import { register } from "node:module";

const hook = `
export async function resolve(specifier, context, next) {
  if (context.parentURL !== undefined && context.parentURL.includes("/node_modules/")) {
    return next(specifier, { ...context, conditions: context.conditions.filter((name) => name !== "source") });
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
