/**
 * Benchmark child processes. Every server under test and the load generator runs in its own Node process
 * (one event loop each, as in production), started with tsx and talking to the orchestrator over IPC:
 * the child says where it listens, answers CPU-usage and stop requests, and the load generator answers
 * run requests.
 */
import { type ChildProcess, fork } from "node:child_process";
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";

/** A message from the orchestrator to a child. */
export type ToChild =
  | { type: "cpu"; id: number }
  | { type: "stop"; id: number }
  | { type: "profile-start"; id: number }
  | { type: "profile-stop"; id: number }
  | { type: "run"; id: number; job: unknown };

/** A message from a child to the orchestrator. */
export type FromChild =
  | { type: "ready"; url: string; info?: unknown }
  | { type: "failed"; message: string }
  | { type: "reply"; id: number; value?: unknown; error?: string };

/** A running child as the orchestrator sees it. */
export interface BenchChild {
  readonly name: string;
  readonly url: string;
  readonly info: unknown;
  readonly pid: number;
  /** The child's own user+system CPU time so far, in microseconds. */
  cpuMicros(): Promise<number>;
  /** Starts the V8 CPU profiler inside the child (a window profile, without start-up). */
  profileStart(): Promise<void>;
  /** Stops it and returns the profile (.cpuprofile JSON). */
  profileStop(): Promise<unknown>;
  /** Hands the child a job (load worker only) and waits for its answer. */
  run<T>(job: unknown): Promise<T>;
  /** Asks the child to close its servers and exit; kills it if it does not within a few seconds. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/** Forks `bench/<relativeFile>` under tsx and resolves once it reports that it is listening. */
export async function startChild(
  name: string,
  relativeFile: string,
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<BenchChild> {
  const file = fileURLToPath(new URL(`../${relativeFile}`, import.meta.url));
  const child: ChildProcess = fork(file, [], {
    execArgv: ["--import", "tsx", ...execArgv],
    env: { ...process.env, ...env },
    // The report goes to stdout; whatever a child prints (logs) goes to stderr.
    stdio: ["ignore", 2, 2, "ipc"],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${name} exited (${code ?? signal}) with a request pending`));
    }
    pending.clear();
  });
  const ready = await new Promise<{ url: string; info?: unknown }>((resolve, reject) => {
    child.on("message", (raw) => {
      const message = raw as FromChild;
      if (message.type === "ready") resolve(message);
      else if (message.type === "failed") reject(new Error(`${name} failed to start: ${message.message}`));
      else if (message.type === "reply") {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(`${name}: ${message.error}`));
        else waiter?.resolve(message.value);
      }
    });
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  type Request = ToChild extends infer M ? (M extends ToChild ? Omit<M, "id"> : never) : never;
  const ask = <T>(message: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...message, id });
    });
  return {
    name,
    url: ready.url,
    info: ready.info,
    pid: child.pid ?? -1,
    cpuMicros: () => ask<number>({ type: "cpu" }),
    profileStart: () => ask<void>({ type: "profile-start" }),
    profileStop: () => ask<unknown>({ type: "profile-stop" }),
    run: <T>(job: unknown) => ask<T>({ type: "run", job }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      child.send({ type: "stop", id: nextId++ });
      await exited;
      clearTimeout(timer);
    },
  };
}

let session: Session | undefined;

async function profileStep(step: "profile-start" | "profile-stop"): Promise<unknown> {
  if (step === "profile-start") {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    return null;
  }
  if (session === undefined) throw new Error("the profiler was not started");
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  session = undefined;
  return profile;
}

/**
 * The child side: starts whatever `start` starts, reports its URL, and serves CPU and stop requests.
 * `onRun` handles jobs (the load worker). Exits 0 after `close` on a stop request.
 */
export async function serveChild(
  start: () => Promise<{ url: string; info?: unknown; close(): Promise<void> }>,
  onRun?: (job: unknown) => Promise<unknown>,
): Promise<void> {
  const send = (message: FromChild): void => {
    process.send?.(message);
  };
  let started: Awaited<ReturnType<typeof start>>;
  try {
    started = await start();
  } catch (error) {
    send({ type: "failed", message: (error as Error).stack ?? String(error) });
    process.exit(1);
  }
  // Without the orchestrator there is nothing left to serve.
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const message = raw as ToChild;
    if (message.type === "cpu") {
      const usage = process.cpuUsage();
      send({ type: "reply", id: message.id, value: usage.user + usage.system });
    } else if (message.type === "profile-start" || message.type === "profile-stop") {
      profileStep(message.type).then(
        (value) => send({ type: "reply", id: message.id, value }),
        (error: unknown) => send({ type: "reply", id: message.id, error: String(error) }),
      );
    } else if (message.type === "stop") {
      void started.close().finally(() => process.exit(0));
    } else if (message.type === "run") {
      if (onRun === undefined) {
        send({ type: "reply", id: message.id, error: "this child takes no jobs" });
        return;
      }
      onRun(message.job).then(
        (value) => send({ type: "reply", id: message.id, value }),
        (error: unknown) =>
          send({ type: "reply", id: message.id, error: (error as Error).stack ?? String(error) }),
      );
    }
  });
  send({ type: "ready", url: started.url, ...(started.info !== undefined ? { info: started.info } : {}) });
}
