/**
 * Redis topologies on loopback for the tests: plain nodes with any arguments, a Cluster of masters with
 * replicas, a master with a replica and sentinels, TLS material made by openssl. Every process started
 * here is remembered and `stopAll` kills exactly those, by PID.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@mcp-gateway/store";
import { Redis, type RedisOptions } from "ioredis";

export interface RedisNodeProcess {
  readonly port: number;
  readonly dir: string;
  pid(): number | undefined;
  /** Kills the process (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Owns the processes and directories a test file starts; `stopAll` ends them in afterAll. */
export class RedisProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "mcpg-topology-"));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts redis-server with `args` (a config file path may come first); resolves once it is listening. */
  async start(port: number, args: readonly string[], dir = this.tempDir()): Promise<RedisNodeProcess> {
    const child = spawn("redis-server", [...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    this.children.push(child);
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/Ready to accept connections|Sentinel ID is/.test(output)) {
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          child.off("exit", onExit);
          resolve();
        }
      };
      const onExit = (code: number | null): void =>
        reject(new Error(`redis-server ${args.join(" ")} exited with ${code}:\n${output}`));
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("exit", onExit);
    });
    return {
      port,
      dir,
      pid: () => child.pid,
      kill: () => killChild(child),
    };
  }

  /** Kills every process started here (by PID) and removes their directories. */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.map(killChild));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

const BASE_ARGS = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];

/** A free port whose Cluster bus port (port + 10000) is free too. */
export async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 55_000 || taken.has(port) || taken.has(port + 10_000)) continue;
    if (!(await portFree(port + 10_000))) continue;
    taken.add(port);
    taken.add(port + 10_000);
    return port;
  }
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export interface RedisClusterTopology {
  readonly masters: RedisNodeProcess[];
  readonly replicas: RedisNodeProcess[];
  readonly nodes: { host: string; port: number }[];
}

/** redis-server arguments for a node that listens only on a TLS port and requires a client certificate. */
export function mutualTlsArgs(tls: TlsMaterial, port: number): string[] {
  return [
    "--port",
    "0",
    "--tls-port",
    String(port),
    "--tls-cert-file",
    tls.serverCert,
    "--tls-key-file",
    tls.serverKey,
    "--tls-ca-cert-file",
    tls.caFile,
    "--tls-auth-clients",
    "yes",
  ];
}

/** One standalone redis-server over mutual TLS on a free port, with fresh test certificates. */
export async function startMutualTlsRedis(
  processes: RedisProcesses,
): Promise<{ tls: TlsMaterial; port: number }> {
  const tls = makeTlsMaterial(processes.tempDir());
  const port = await freePort();
  await processes.start(port, [...mutualTlsArgs(tls, port), "--bind", "127.0.0.1", "--save", ""]);
  return { tls, port };
}

/** A Cluster of `masters` masters with one replica each, all slots assigned, every node seeing state ok. */
export async function startCluster(
  processes: RedisProcesses,
  masters = 3,
  tls?: TlsMaterial,
): Promise<RedisClusterTopology> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < masters * 2; i++) ports.push(await freeClusterPort(taken));
  // With TLS every node listens only on its TLS port, and the Cluster bus and replication use TLS too.
  const listen = (port: number): string[] =>
    tls === undefined
      ? ["--port", String(port)]
      : [...mutualTlsArgs(tls, port), "--tls-cluster", "yes", "--tls-replication", "yes"];
  const started = await Promise.all(
    ports.map((port) =>
      processes.start(port, [
        ...listen(port),
        ...BASE_ARGS,
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "1500",
      ]),
    ),
  );
  const cliTls =
    tls === undefined
      ? []
      : ["--tls", "--cacert", tls.caFile, "--cert", tls.clientCert, "--key", tls.clientKey];
  execFileSync(
    "redis-cli",
    [
      ...cliTls,
      "--cluster",
      "create",
      ...ports.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas",
      "1",
      "--cluster-yes",
    ],
    { stdio: "ignore", timeout: 30_000 },
  );
  const client = tls === undefined ? {} : tlsClientOptions(tls);
  await waitForClusterSettled(ports, 30_000, client);
  const roles = await Promise.all(
    started.map(async (node) => ({ node, role: await roleOf(node.port, 0, undefined, client) })),
  );
  return {
    masters: roles.filter((r) => r.role === "master").map((r) => r.node),
    replicas: roles.filter((r) => r.role === "slave").map((r) => r.node),
    nodes: ports.map((port) => ({ host: "127.0.0.1", port })),
  };
}

/**
 * Waits until every reachable node says cluster_state:ok and every reachable replica's link to its master
 * is up (after creation or a failover, a demoted master resyncs for a while).
 */
export async function waitForClusterSettled(
  ports: readonly number[],
  timeoutMs = 30_000,
  client: RedisOptions = {},
): Promise<void> {
  await waitFor(async () => {
    for (const port of ports) {
      if ((await roleOf(port, 0, undefined, client)) === "unreachable") continue;
      const node = new Redis({ ...client, port, host: "127.0.0.1", lazyConnect: true });
      try {
        await node.connect();
        const info = String(await node.call("CLUSTER", "INFO"));
        if (!info.includes("cluster_state:ok")) return false;
        const role = (await node.call("ROLE")) as unknown[];
        if (role[0] === "slave" && role[3] !== "connected") return false;
      } finally {
        node.disconnect();
      }
    }
    return true;
  }, timeoutMs);
}

export interface SentinelTopology {
  readonly master: RedisNodeProcess;
  readonly replica: RedisNodeProcess;
  readonly sentinels: { host: string; port: number }[];
  readonly masterName: string;
}

/**
 * A master, one replica and three sentinels (quorum 2) watching it as "mymaster"; with `passwords`, the data
 * nodes require `passwords.data` and the sentinels `passwords.sentinel`.
 */
export async function startSentinelTopology(
  processes: RedisProcesses,
  passwords?: { data: string; sentinel: string },
  tls?: TlsMaterial,
): Promise<SentinelTopology> {
  const masterName = "mymaster";
  const auth =
    passwords === undefined ? [] : ["--requirepass", passwords.data, "--masterauth", passwords.data];
  // With TLS, data nodes and sentinels listen only on TLS ports and replicate and monitor over TLS.
  const listen = (port: number): string[] =>
    tls === undefined ? ["--port", String(port)] : [...mutualTlsArgs(tls, port), "--tls-replication", "yes"];
  const client: RedisOptions = tls === undefined ? {} : tlsClientOptions(tls);
  const masterPort = await freePort();
  const master = await processes.start(masterPort, [...listen(masterPort), ...BASE_ARGS, ...auth]);
  const replicaPort = await freePort();
  const replica = await processes.start(replicaPort, [
    ...listen(replicaPort),
    ...BASE_ARGS,
    ...auth,
    "--replicaof",
    "127.0.0.1",
    String(masterPort),
  ]);
  await waitFor(async () => (await roleOf(replicaPort, 3, passwords?.data, client)) === "connected", 10_000);
  const sentinels: { host: string; port: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = processes.tempDir();
    const file = join(dir, "sentinel.conf");
    writeFileSync(
      file,
      [
        "bind 127.0.0.1",
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        `sentinel parallel-syncs ${masterName} 1`,
        ...(passwords === undefined
          ? []
          : [
              `sentinel auth-pass ${masterName} ${passwords.data}`,
              `requirepass ${passwords.sentinel}`,
              `sentinel sentinel-pass ${passwords.sentinel}`,
            ]),
        "",
      ].join("\n"),
    );
    await processes.start(port, [file, ...listen(port), "--sentinel"], dir);
    sentinels.push({ host: "127.0.0.1", port });
  }
  // Sentinels find the replica and each other through the master within a few seconds.
  await waitFor(async () => {
    for (const s of sentinels) {
      const sentinel = new Redis({ ...client, ...s, lazyConnect: true, password: passwords?.sentinel });
      try {
        await sentinel.connect();
        const known = (await sentinel.call("SENTINEL", "REPLICAS", masterName)) as unknown[];
        const peers = (await sentinel.call("SENTINEL", "SENTINELS", masterName)) as unknown[];
        if (known.length < 1 || peers.length < 2) return false;
      } finally {
        sentinel.disconnect();
      }
    }
    return true;
  }, 20_000);
  return { master, replica, sentinels, masterName };
}

/** ROLE of a node: the role name, or with `field` that element of the reply (3 = a replica's link state). */
export async function roleOf(
  port: number,
  field = 0,
  password?: string,
  options: RedisOptions = {},
): Promise<string> {
  const client = new Redis({
    ...options,
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    password,
  });
  try {
    await client.connect();
    return String(((await client.call("ROLE")) as unknown[])[field]);
  } catch {
    return "unreachable";
  } finally {
    client.disconnect();
  }
}

/** Polls `check` every 100 ms until it resolves true; throws after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** ioredis options for a test's own client to a node of a TLS topology (mutual TLS). */
export function tlsClientOptions(tls: TlsMaterial): RedisOptions {
  return {
    tls: {
      ca: readFileSync(tls.caFile, "utf8"),
      cert: readFileSync(tls.clientCert, "utf8"),
      key: readFileSync(tls.clientKey, "utf8"),
    },
  };
}

export interface TlsMaterial {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  readonly otherCaFile: string;
}

/** A CA, a server certificate for localhost/127.0.0.1 and a client certificate, made by openssl in `dir`. */
export function makeTlsMaterial(dir: string): TlsMaterial {
  const run = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  };
  const ca = (name: string): void => {
    run(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
    );
  };
  const leaf = (name: string, ext: string): void => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    );
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    );
  };
  ca("ca");
  ca("other-ca");
  leaf("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
  leaf("client", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
    otherCaFile: join(dir, "other-ca.pem"),
  };
}
