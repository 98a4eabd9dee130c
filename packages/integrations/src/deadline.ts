/** A signal that aborts when a time runs out or an outer signal aborts; `release` when the work is done. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True once the time ran out (as opposed to the outer signal aborting). */
  expired(): boolean;
  /** Clears the timer and stops following the outer signal. Call it when the work ends, however it ends. */
  release(): void;
}

/**
 * Starts a deadline of `ms`, following `outer` when given. `AbortSignal.timeout` with `AbortSignal.any` does
 * the same, but its timer cannot be cleared: every call left one pending for the whole timeout (tens of
 * seconds), and under load those timers and combined signals cost more CPU than the rest of a tool call's
 * bookkeeping. Here the timer goes as soon as the call ends.
 */
export function startDeadline(ms: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError"));
  }, ms);
  // Like AbortSignal.timeout: a pending deadline never keeps the process alive by itself.
  timer.unref();
  const follow = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  else outer?.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    expired: () => timedOut,
    release: () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", follow);
    },
  };
}
