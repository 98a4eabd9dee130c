import type { SandboxFaultRule } from "./options.js";

/** A fault rule with its compiled path pattern and how many more times it may fire. */
interface ActiveRule {
  rule: SandboxFaultRule;
  pattern: RegExp;
  remaining: number;
}

/** Compiles a rule's path: `^...` is a regex source, anything else a glob (`*` any run, `?` one character). */
export function compilePathPattern(path: string): RegExp {
  if (path.startsWith("^")) return new RegExp(path);
  const source = path
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

/** The fault rules in force; the first matching rule with uses left applies. */
export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(rules: SandboxFaultRule[]) {
    this.set(rules);
  }

  /** Replaces every rule (validating them first, so a bad rule fails loudly instead of never matching). */
  set(rules: SandboxFaultRule[]): void {
    this.rules = rules.map((rule) => {
      if (typeof rule.path !== "string" || rule.path === "") throw new Error("fault rule needs a path");
      if (
        rule.status !== undefined &&
        (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)
      )
        throw new Error(`fault rule status must be an HTTP status, got ${rule.status}`);
      return {
        rule,
        pattern: compilePathPattern(rule.path),
        remaining: rule.times ?? Number.POSITIVE_INFINITY,
      };
    });
  }

  /** The rule that applies to this request, if any (and counts its use). */
  take(method: string, path: string): SandboxFaultRule | undefined {
    for (const active of this.rules) {
      if (active.remaining <= 0) continue;
      if (active.rule.method && active.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!active.pattern.test(path)) continue;
      active.remaining -= 1;
      return active.rule;
    }
    return undefined;
  }
}
