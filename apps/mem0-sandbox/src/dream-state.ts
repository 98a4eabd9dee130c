/** What Dream (newer-endpoints.md §1) keeps per project: its settings and the reflection runs so far. */

/** A source memory as a run saw it. */
export interface DreamSource {
  id: string;
  text: string;
}

/** A pattern memory one run synthesized for one user. */
export interface DreamPattern {
  id: string;
  userId: string;
  text: string;
  sources: DreamSource[];
}

/** One reflection run. */
export interface DreamRun {
  runId: string;
  at: Date;
  patterns: DreamPattern[];
}

/** A project's Dream settings and history. */
export class DreamState {
  reflectionEnabled = false;
  reflectionEnabledAt: Date | null = null;
  reflectionMode: "batch" | "direct" = "batch";
  /** Creation time of the newest memory a run has considered. */
  processedThrough: Date | null = null;
  lastRunAt: Date | null = null;
  /** Oldest first. */
  readonly runs: DreamRun[] = [];
}
