/**
 * Summarizes V8 .cpuprofile files, so a missed target can be traced to the code that spends the time.
 *
 *   tsx bench/profile-summary.ts <file> [top]            self time by package and by function, and the
 *                                                        inclusive time of the gateway's own functions
 *   tsx bench/profile-summary.ts <file> <other> [top]    self time per request of every function in both,
 *                                                        largest difference first (e.g. tools-list vs floor)
 *
 * Per-request figures need profiles saved by bench/profile.ts, which records how many requests each covers.
 */
import { type ProfileTimes, readProfileTimes } from "./lib/profiles.js";

const [file, second, third] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: tsx bench/profile-summary.ts <file.cpuprofile> [other.cpuprofile] [top]\n");
  process.exit(2);
}
const comparing = second?.endsWith(".cpuprofile") === true;
const top = Number((comparing ? third : second) ?? 40);

if (comparing) {
  compare(readProfileTimes(file), readProfileTimes(second!));
} else {
  summarize(readProfileTimes(file));
}

function summarize(times: ProfileTimes): void {
  const perRequest =
    times.requests === undefined ? "" : `, ${(times.total / times.requests).toFixed(1)} µs per request`;
  const show = (title: string, map: Map<string, number>): void => {
    process.stdout.write(
      `\n${title} (${(times.total / 1000).toFixed(0)} ms busy, idle left out${perRequest})\n`,
    );
    for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${((100 * micros) / times.total).toFixed(1).padStart(5)}%  ${name}\n`);
    }
  };
  show("self time by package", times.selfByPackage);
  show("self time by function", times.selfByFunction);
  show("inclusive time of gateway, SDK and jose functions", times.inclusiveOfOurs);
}

function compare(a: ProfileTimes, b: ProfileTimes): void {
  if (a.requests === undefined || b.requests === undefined) {
    process.stderr.write("comparing needs profiles saved by bench/profile.ts (they record their requests)\n");
    process.exit(2);
  }
  const [perA, perB] = [a.requests, b.requests];
  const names = new Set([...a.selfByFunction.keys(), ...b.selfByFunction.keys()]);
  const rows = [...names].map((name) => ({
    name,
    a: (a.selfByFunction.get(name) ?? 0) / perA,
    b: (b.selfByFunction.get(name) ?? 0) / perB,
  }));
  rows.sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b));
  process.stdout.write(
    `busy µs per request: first ${(a.total / perA).toFixed(1)}, second ${(b.total / perB).toFixed(1)}\n` +
      "difference   first  second  function (self time per request, µs)\n",
  );
  for (const row of rows.slice(0, top)) {
    const cells = [row.a - row.b, row.a, row.b].map((v) => v.toFixed(2).padStart(6));
    process.stdout.write(`${cells[0]}     ${cells[1]}  ${cells[2]}  ${row.name}\n`);
  }
}
