/**
 * Summarizes a V8 .cpuprofile (from BENCH_CPU_PROF=1): self time by function and by package, so a missed
 * target can be traced to the code that spends the time. Usage: tsx bench/profile-summary.ts <file> [top]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]\n");
  process.exit(2);
}
const top = Number(process.argv[3] ?? 40);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
// Idle is time the process waited (for the network, or for a core on a busy machine): not work.
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
for (const id of idleIds) selfMicros.delete(id);
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

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

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const frame = byId.get(id)!.callFrame;
  const place = where(frame.url);
  const name = `${frame.functionName || "(anonymous)"}  ${place}:${frame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + micros);
  const pkg =
    place.startsWith("apps/") || place.startsWith("packages/")
      ? place.split("/").slice(0, 2).join("/")
      : place;
  packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
}
const show = (title: string, map: Map<string, number>): void => {
  process.stdout.write(`\n${title} (${(total / 1000).toFixed(0)} ms busy, idle left out)\n`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
// Inclusive time: a function's own time plus everything it called, counted once per stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)!.callFrame;
    const place = where(frame.url);
    if (!/^(apps|packages)\//.test(place) && !place.startsWith("@modelcontextprotocol") && place !== "jose")
      continue;
    const name = `${frame.functionName || "(anonymous)"}  ${place}:${frame.lineNumber + 1}`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  }
}
show("self time by package", packages);
show("self time by function", functions);
show("inclusive time of gateway, SDK and jose functions", inclusive);
