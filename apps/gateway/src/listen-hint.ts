/**
 * The start-up failure as a person can act on it: a taken port names PORT (the usual cause is a second demo
 * or gateway on the default 127.0.0.1:8080). Undefined when there is nothing to add to the error's own message.
 */
export function listenFailureHint(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "EADDRINUSE") {
    return "the address is already in use (another demo or gateway is running?): stop it, or choose another port with PORT, e.g. PORT=8081";
  }
  if (code === "EACCES") return "not allowed to listen on that address: choose a port above 1024 with PORT";
  return undefined;
}
