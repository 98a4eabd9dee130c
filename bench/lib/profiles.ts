/** Reading V8 .cpuprofile files written by bench/profile.ts (or any V8 CPU profile). */
import { readFileSync } from "node:fs";

/** The top-level field bench/profile.ts adds to a saved profile: how many requests it covers. */
export const REQUESTS_FIELD = "mcpgRequests";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  [REQUESTS_FIELD]?: number;
}

/** Where a profile spent its busy time (idle left out), in µs, by function and by package. */
export interface ProfileTimes {
  /** Busy µs over the whole profile. */
  total: number;
  /** Requests the profile covers, when bench/profile.ts recorded them. */
  requests: number | undefined;
  selfByFunction: Map<string, number>;
  selfByPackage: Map<string, number>;
  /** A function's own time plus everything it called, counted once per stack (ours, the SDK's, jose's). */
  inclusiveOfOurs: Map<string, number>;
}

export function readProfileTimes(file: string): ProfileTimes {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  // Idle is time the process waited (for the network, or for a core on a busy machine): not work.
  for (const node of profile.nodes) {
    if (node.callFrame.functionName === "(idle)") selfMicros.delete(node.id);
  }
  const nameOf = (id: number): { name: string; place: string } => {
    const frame = byId.get(id)!.callFrame;
    const place = where(frame.url);
    return { name: `${frame.functionName || "(anonymous)"}  ${place}:${frame.lineNumber + 1}`, place };
  };

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { name, place } = nameOf(id);
    add(selfByFunction, name, micros);
    const pkg =
      place.startsWith("apps/") || place.startsWith("packages/")
        ? place.split("/").slice(0, 2).join("/")
        : place;
    add(selfByPackage, pkg, micros);
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusiveOfOurs = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { name, place } = nameOf(at);
      if (!/^(apps|packages)\//.test(place) && !place.startsWith("@modelcontextprotocol") && place !== "jose")
        continue;
      if (seen.has(name)) continue;
      seen.add(name);
      add(inclusiveOfOurs, name, micros);
    }
  }
  let total = 0;
  for (const micros of selfMicros.values()) total += micros;
  return { total, requests: profile[REQUESTS_FIELD], selfByFunction, selfByPackage, inclusiveOfOurs };
}

/** A frame's place: a package name, a node: module, a path inside this repository, or (native/V8). */
function where(url: string): string {
  if (url === "") return "(native/V8)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return url;
  const ours = /\/(apps|packages|bench)\/(.+)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}
