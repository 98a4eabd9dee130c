/** Reads a JSON-RPC message from a JSON body or a single-event SSE body (tests and the bench check answers with it). */
export function jsonRpcFrom(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed) as Record<string, unknown>;
  const data = trimmed
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim())
    .join("");
  return JSON.parse(data) as Record<string, unknown>;
}
