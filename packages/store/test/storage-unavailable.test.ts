import { ReplyError } from "ioredis";
import { describe, expect, it } from "vitest";
import { isStorageUnavailable, NotReplicatedError } from "../src/index.js";

const reply = (message: string): Error => new ReplyError(message);

describe("isStorageUnavailable in failovers", () => {
  it("counts an access change no replica acknowledged as unavailable (503), not a bug", () => {
    expect(isStorageUnavailable(new NotReplicatedError(1, 0, 500))).toBe(true);
  });

  it("counts the replies of a master demoted mid-write as unavailable", () => {
    expect(isStorageUnavailable(reply("READONLY You can't write against a read only replica."))).toBe(true);
    expect(
      isStorageUnavailable(
        reply("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"),
      ),
    ).toBe(true);
    expect(
      isStorageUnavailable(reply("ERR WAIT cannot be used with replica instances. Please also note…")),
    ).toBe(true);
  });

  it("counts a Cluster pipeline whose slots moved between batching and sending as unavailable", () => {
    expect(
      isStorageUnavailable(
        new Error("All keys in the pipeline should belong to the same slots allocation group"),
      ),
    ).toBe(true);
  });

  it("counts a redirection that reached the caller (a slot moved mid-pipeline) as unavailable", () => {
    expect(isStorageUnavailable(reply("MOVED 13529 127.0.0.1:39857"))).toBe(true);
    expect(isStorageUnavailable(reply("ASK 13529 127.0.0.1:39857"))).toBe(true);
  });

  it("still treats other errors as bugs", () => {
    expect(isStorageUnavailable(reply("ERR syntax error"))).toBe(false);
    expect(isStorageUnavailable(reply("CROSSSLOT Keys in request don't hash to the same slot"))).toBe(false);
  });
});
