/** The sandbox's notion of now; injected so tests can pin it. */
export type Clock = () => Date;

/** ISO 8601 with microseconds and an explicit offset, the way Mem0 (Django) prints timestamps. */
export function formatTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  return `${iso.slice(0, 23)}000+00:00`;
}

/** YYYY-MM-DD in UTC. */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a string is a calendar date with no time part. */
export function isDateOnly(value: string): boolean {
  return DATE_ONLY.test(value);
}

/** Parses a date or datetime; timezone-naive values are read as UTC. Returns null when unparseable. */
export function parseInstant(value: unknown): Date | null {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value !== "string" || value.trim() === "") return null;
  let text = value.trim();
  if (isDateOnly(text)) text = `${text}T00:00:00Z`;
  else if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text}Z`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Waits `ms`, unless the timer is cancelled through `timers` (then the promise never settles). */
export function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
