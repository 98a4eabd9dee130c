export type { Sandbox, SandboxFaultRule, SandboxOptions } from "./options.js";
export { startSandbox } from "./sandbox.js";
