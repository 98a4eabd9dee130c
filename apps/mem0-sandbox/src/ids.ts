import { createHash, randomBytes, randomUUID } from "node:crypto";

/** Makes ids: seeded ones repeat across runs (for tests), unseeded ones are random. */
export class IdFactory {
  private counter = 0;

  constructor(private readonly seed: string | undefined) {}

  /** A version-4-shaped UUID. */
  uuid(): string {
    if (this.seed === undefined) return randomUUID();
    const hex = this.next().subarray(0, 16).toString("hex");
    // Set the version (4) and variant (10xx) nibbles so validators accept it as a v4 UUID.
    const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** `bytes` random (or seeded) bytes as hex. */
  hex(bytes: number): string {
    if (this.seed === undefined) return randomBytes(bytes).toString("hex");
    return this.next().subarray(0, bytes).toString("hex");
  }

  private next(): Buffer {
    this.counter += 1;
    return createHash("sha256").update(`${this.seed}:${this.counter}`).digest();
  }
}

/** A stable id derived from a value (so a key maps to the same org and project on every start). */
export function stableHex(value: string, chars: number): string {
  return createHash("sha256").update(value).digest("hex").slice(0, chars);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical textual form. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
