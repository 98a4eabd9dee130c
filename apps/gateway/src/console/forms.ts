import type { FastifyInstance } from "fastify";

/** A parsed urlencoded form: every field as the list of its values, in order. */
export type FormBody = Readonly<Record<string, readonly string[]>>;

/** Parses application/x-www-form-urlencoded bodies (the console's forms) into FormBody. */
export function installFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => {
      const fields: Record<string, string[]> = Object.create(null);
      for (const [key, value] of new URLSearchParams(body as string)) {
        const values = fields[key] ?? [];
        values.push(value);
        fields[key] = values;
      }
      done(null, fields);
    },
  );
}

/** The first value of a field, trimmed; undefined when absent or empty. */
export function field(body: FormBody | undefined, name: string): string | undefined {
  const value = body?.[name]?.[0]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** Every non-empty value of a field (checkbox groups). */
export function fields(body: FormBody | undefined, name: string): string[] {
  return (body?.[name] ?? []).map((v) => v.trim()).filter(Boolean);
}

/** Every value of a query parameter, whether fastify parsed it as one string or a list. */
export function queryList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter(Boolean);
}
