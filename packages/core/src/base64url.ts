/** Strict base64url (RFC 4648 §5, no padding) helpers; Node's own decoder silently skips bad characters. */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes canonical unpadded base64url, or returns undefined for anything else (bad characters, padding, stray bits). */
export function decodeBase64urlStrict(text: string): Buffer | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, "base64url");
  // Round-tripping rejects encodings whose unused trailing bits are set, so one value has one spelling.
  return bytes.toString("base64url") === text ? bytes : undefined;
}

/** True when every character is in the base64url alphabet (and there is at least one). */
export function isBase64urlText(text: string): boolean {
  return text.length > 0 && BASE64URL.test(text);
}
