import type { Integration } from "../../src/index.js";

/**
 * A small second integration for tests: it exercises what Mem0 does not (a root-array body, a method
 * without documentation, a renamed query argument) and shows that an integration is only data.
 */
export const notesIntegration: Integration = {
  name: "notes2go",
  title: "Notes",
  defaultBaseUrl: "https://notes.invalid",
  auth: { header: "X-Api-Key", prefix: "", credential: "key" },
  credentialFields: ["key"],
  context: { path: "/whoami", fields: { workspace: "workspace_id" } },
  resources: [
    {
      name: "notes",
      singular: "note",
      tags: ["notes"],
      methods: {
        list: {
          http: {
            verb: "GET",
            path: "/workspaces/{workspace}/notes",
            parameters: [
              { name: "tag", in: "query", schema: { type: "array", items: { type: "string" } } },
              { name: "cursor", in: "query", wireName: "next_cursor", schema: { type: "string" } },
              { name: "where", in: "query", schema: { type: "object" } },
            ],
            contextParameters: [{ name: "workspace", in: "path", fromContext: "workspace" }],
          },
          hints: { readOnly: true, destructive: false, idempotent: true },
          docs: {
            title: "List notes",
            description: "Lists notes.",
            parameters: { tag: "Tags.", cursor: "Cursor.", where: "Condition." },
            example: { tag: ["a"] },
            returns: "notes.",
          },
        },
        update: {
          http: {
            verb: "PATCH",
            path: "/notes/{note_id}",
            parameters: [
              { name: "id", in: "path", wireName: "note_id", required: true, schema: { type: "string" } },
              { name: "title", in: "body", schema: { type: "string" } },
              { name: "dry_run", in: "query", schema: { type: "boolean" } },
            ],
            contextParameters: [{ name: "workspace_id", in: "body", fromContext: "workspace" }],
          },
          hints: { readOnly: false, destructive: true, idempotent: true },
          docs: {
            title: "Update a note",
            description: "Updates a note.",
            parameters: { id: "Note id.", title: "Title.", dry_run: "Check only." },
            example: { id: "n 1", title: "New" },
            returns: "the note.",
          },
        },
        import: {
          http: {
            verb: "POST",
            path: "/notes/import",
            parameters: [
              {
                name: "body",
                in: "body_root",
                required: true,
                schema: {
                  type: "array",
                  items: { type: "object", properties: { title: { type: "string" } } },
                },
              },
            ],
          },
          hints: { readOnly: false, destructive: false, idempotent: false },
          tags: ["bulk"],
          docs: {
            title: "Import notes",
            description: "Imports notes.",
            parameters: { body: "The notes to import." },
            example: { body: [{ title: "One" }] },
            returns: "the created ids.",
          },
        },
        // No documentation record: must not become a tool.
        delete: {
          http: { verb: "DELETE", path: "/notes/{id}", parameters: [{ name: "id", in: "path", schema: {} }] },
          hints: { readOnly: false, destructive: true, idempotent: true },
        },
      },
    },
  ],
};
