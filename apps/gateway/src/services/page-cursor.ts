import { GatewayError } from "@mcp-gateway/core";
import { readCursor } from "@mcp-gateway/store";

/** The index position a client's cursor stands for; a cursor this API never returned is a 400. */
export function afterCursor(cursor: string | undefined): string | undefined {
  const position = readCursor(cursor);
  if (!position.ok) {
    throw new GatewayError("bad_request", "cursor is not one this API returned: pass next_cursor as given");
  }
  return position.after;
}
