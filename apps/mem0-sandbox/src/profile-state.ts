/** What Profiles (newer-endpoints.md §2) keeps per project: settings, built profiles and jobs. */

export type ProfileStatus = "succeeded" | "pending" | "failed";

/** A user's profile as last built. */
export interface StoredProfile {
  profile: Record<string, unknown>;
  status: ProfileStatus;
  updatedAt: Date;
  generationCount: number;
}

/** One profile job; its progress is the progress of the async event that runs it. */
export interface ProfileJob {
  id: string;
  operation: "sample" | "trigger";
  entityIds: string[];
  eventId: string;
  /** The request it was created by, for Idempotency-Key replays. */
  fingerprint: string;
}

/** A project's profile settings, profiles and jobs. */
export class ProfileState {
  enabled = false;
  schema: Record<string, unknown> | null = null;
  customInstructions: string | null = null;
  readonly profiles = new Map<string, StoredProfile>();
  readonly jobs = new Map<string, ProfileJob>();
  /** Idempotency-Key -> job id. */
  readonly idempotencyKeys = new Map<string, string>();
  lastSampleAt: Date | null = null;
}
