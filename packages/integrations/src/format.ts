/**
 * The integration format: what an integration declares so that the generic machinery can turn it into
 * MCP tools and HTTP calls. An integration is data; nothing here performs I/O.
 */

/** A JSON Schema fragment (2020-12), kept loose because it is data handed to validators and clients. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export type HttpVerb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Where an argument travels on the wire. "body_root" sends the argument's value as the whole body;
 * "header" sends it as one request header named by its wire name (Mem0: Idempotency-Key).
 */
export type ParameterLocation = "path" | "query" | "body" | "body_root" | "header";

/** The account context an integration resolves once per account (Mem0: org_id and project_id). */
export type AccountContext = Readonly<Record<string, string>>;

/** One argument a model passes; it appears as one property of the tool's flat input schema. */
export interface ArgumentParameter {
  readonly name: string;
  readonly in: ParameterLocation;
  /** The name on the wire when it differs from the argument name (a path's {memory_id} exposed as "id"). */
  readonly wireName?: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
  /**
   * Keys that belong inside this object argument, never beside it (Mem0: entity ids go inside "filters").
   * A call that puts one at the top level is refused with the corrected shape.
   */
  readonly nestedKeys?: readonly string[];
  /** When the model leaves this argument out, the account context supplies it (e.g. "its own project"). */
  readonly defaultFromContext?: string;
  /** The object must mention one of these keys at some depth (Mem0: filters must scope an entity). */
  readonly mustMentionOneOf?: readonly string[];
  /**
   * A convenience form of another argument: the value is expanded and sent where that argument goes
   * (Mem0: a plain `text` becomes `messages: [{role: "user", content: text}]`). Pair it with the other
   * argument in `requireExactlyOneOf` so a call gives one form or the other.
   */
  readonly shorthandFor?: { readonly parameter: string; readonly expand: (value: unknown) => unknown };
}

/** A value filled from the account context, never from the model. */
export interface ContextParameter {
  readonly name: string;
  readonly in: Exclude<ParameterLocation, "body_root" | "header">;
  readonly fromContext: string;
}

export interface HttpMapping {
  readonly verb: HttpVerb;
  /** A path template with {placeholders}, each filled by a path parameter. */
  readonly path: string;
  readonly parameters: readonly ArgumentParameter[];
  readonly contextParameters?: readonly ContextParameter[];
  /** Argument groups of which at least one member is required (kept out of the schema: no top-level anyOf). */
  readonly requireOneOf?: readonly (readonly string[])[];
  /** Argument groups of which exactly one member is required (alternative forms of the same input). */
  readonly requireExactlyOneOf?: readonly (readonly string[])[];
}

/** Behaviour hints, surfaced as MCP tool annotations. */
export interface BehaviourHints {
  readonly readOnly: boolean;
  readonly destructive: boolean;
  readonly idempotent: boolean;
  /** True when the call reaches beyond the upstream's own data (e.g. it makes the upstream call a URL). */
  readonly openWorld?: boolean;
}

/**
 * Optional bounded polling: the tool accepts a wait argument and re-reads until the response reaches a
 * terminal status or the wait is over.
 */
export interface PollingSpec {
  readonly argument: string;
  readonly statusField: string;
  readonly terminalStatuses: readonly string[];
}

/** The documentation record for one method. A method without one never becomes a tool. */
export interface DocumentationRecord {
  /** A short human title, e.g. "Search memories". */
  readonly title: string;
  /** What the tool does and when to use it, written for a model. */
  readonly description: string;
  /** One line per argument (every argument must be documented). */
  readonly parameters: Readonly<Record<string, string>>;
  /** A valid argument object; tests check it against the input schema. */
  readonly example: Readonly<Record<string, unknown>>;
  /** What a successful call returns, in a few words ("Returns: ..."). */
  readonly returns: string;
}

export interface MethodDefinition {
  readonly http: HttpMapping;
  readonly hints: BehaviourHints;
  /** Tags for this method only, added to the resource's tags (e.g. "destructive"). */
  readonly tags?: readonly string[];
  readonly polling?: PollingSpec;
  readonly docs?: DocumentationRecord;
  /**
   * The shape of a successful answer, when the upstream documents one: the tool's MCP `outputSchema`. An
   * object schema; a bare array answer is described as `{result: [...]}`, the form structuredContent takes.
   */
  readonly output?: JsonSchema;
}

export interface ResourceDefinition {
  /** Plural resource name, used by list and custom tool names ("memories"). */
  readonly name: string;
  /** Singular form, used by get, create, update and delete tool names ("memory"). */
  readonly singular: string;
  readonly tags: readonly string[];
  /** Method name -> definition; list/get/create/update/delete or any custom name. */
  readonly methods: Readonly<Record<string, MethodDefinition>>;
}

/** How the credential travels: a header built from one credential field. */
export interface AuthScheme {
  readonly header: string;
  readonly prefix: string;
  readonly credential: string;
}

/** How an account's context is resolved: one GET whose JSON fields become the context. */
export interface ContextResolver {
  readonly path: string;
  /** Context key -> response field. All must be non-empty strings. */
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * How a scoped URL confines one tool (see entity-scope.ts). A tool with no rule is not offered on a scoped URL.
 *   filters           a filter-language argument: the scope is ANDed into it ("nested": {"AND": [scope, theirs]};
 *                     "structured": the flat AND/OR list form, where only literal entity ids are
 *                     accepted and one flat AND list is sent; see scope-structured-filter.ts)
 *   entity_arguments  the tool's own top-level entity-id arguments carry the scope; any other entity id is refused
 *                     (`singleKeyOnly`: refused outright on a scope of several keys)
 *   record            one record named by an argument must lie inside the scope (looked up first)
 *   records           every record named in an array argument must lie inside the scope (each looked up first)
 *   remembered        a record whose content names no entity: readable only through the scoped server that made it
 */
export type ScopeRule =
  | {
      readonly kind: "filters";
      readonly argument: string;
      readonly form: "nested" | "structured";
      /** The call makes a record whose content names no entity: the scoped server remembers its id (result field). */
      readonly remembers?: { readonly kind: string; readonly idField: string };
    }
  | {
      /** A record only the scoped server that made it may read (see `remembers`); any other id answers `notFound`. */
      readonly kind: "remembered";
      readonly idArgument: string;
      readonly remembered: string;
      /** The upstream's own answer for a missing record of this kind. */
      readonly notFound: { readonly status: number; readonly body: unknown };
    }
  | {
      readonly kind: "entity_arguments";
      /** The call makes a record whose content cannot be checked (Mem0: its event): the scoped server remembers it. */
      readonly remembers?: { readonly kind: string; readonly idField: string };
      /** Refused on a scope of several keys: why, and what to use instead (said in the error and the description). */
      readonly singleKeyOnly?: string;
    }
  | {
      readonly kind: "record";
      readonly idArgument: string;
      /** Arguments that reach records beyond the one checked (Mem0: delete_linked); refused when set on a scoped URL. */
      readonly reachesOtherRecords?: readonly string[];
    }
  | { readonly kind: "records"; readonly argument: string; readonly idField: string };

/** What an integration declares so a URL can be pinned to its entities. */
export interface ScopeSupport {
  /** The entity keys a scope may pin (Mem0: user_id, agent_id, app_id, run_id). */
  readonly keys: readonly string[];
  /** Tool name -> how it is confined. Tools missing here are never offered on a scoped URL (fail safe). */
  readonly rules: Readonly<Record<string, ScopeRule>>;
  /** Tool name -> why it cannot be confined: the tools decided to stay off scoped URLs (tests check the two lists cover every tool). */
  readonly notOffered: Readonly<Record<string, string>>;
  /** How a record named by id is read to learn its entities. */
  readonly recordLookup: {
    /** The get-by-id tool, called with `{id}`. */
    readonly tool: string;
    /** Scope key -> the record fields that may carry it, first present wins (Mem0 names run_id session_id). */
    readonly fields: Readonly<Record<string, readonly string[]>>;
    /** The upstream's own answer for a missing record: a record outside the scope gets exactly this. */
    readonly notFound: { readonly status: number; readonly body: unknown };
  };
}

export interface Integration {
  /** The registry name ("mem0"). */
  readonly name: string;
  readonly title: string;
  readonly defaultBaseUrl: string;
  readonly auth: AuthScheme;
  /** Credential fields an account must supply. */
  readonly credentialFields: readonly string[];
  readonly context: ContextResolver;
  readonly resources: readonly ResourceDefinition[];
  /** Entity scope support; an integration without it cannot mint scoped URLs. */
  readonly scope?: ScopeSupport;
}
