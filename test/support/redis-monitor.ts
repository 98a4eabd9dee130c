import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** What a Redis MONITOR session has seen: one line per command, e.g. `1796… [0 127.0.0.1:5000] "get" "k"`. */
export interface RedisMonitor {
  /** Commands sent by clients, in order; commands that scripts run (source `lua`) are left out. */
  readonly commands: string[];
  stop(): void;
}

/**
 * Starts MONITOR on a plain socket. (ioredis's monitor() can take a MONITOR line that arrives with the
 * "+OK" for a command reply on a busy server and fail with "Command queue state error".)
 */
export async function startRedisMonitor(redisUrl: string): Promise<RedisMonitor> {
  const url = new URL(redisUrl);
  const socket: Socket = connect(Number(url.port || 6379), url.hostname);
  await once(socket, "connect");
  const commands: string[] = [];
  let buffered = "";
  let started = false;
  const ready = new Promise<void>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\r\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!started) {
          if (line === "+OK") {
            started = true;
            resolve();
          }
          continue;
        }
        if (line.startsWith("+") && !/^\+\S+ \[\d+ lua\]/.test(line)) commands.push(line.slice(1));
      }
    });
  });
  socket.write("MONITOR\r\n");
  await ready;
  return { commands, stop: () => socket.destroy() };
}
