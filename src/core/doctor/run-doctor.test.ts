import { describe, expect, it } from "vitest";
import { configSchema } from "../../config/schema.js";
import type { DoctorCheck, DoctorContext } from "./doctor-check.js";
import { runDoctor, runDoctorCheck } from "./run-doctor.js";

const context: DoctorContext = {
  config: configSchema.parse({}),
  configFile: { path: "/nowhere/config.toml", exists: false },
  configWarnings: [],
  env: {},
  paths: { env: {}, platform: "linux", homedir: "/nowhere" },
  networkTimeoutMs: 200,
};

function check(id: string, run: DoctorCheck["run"], timeoutMs = 1000): DoctorCheck {
  return { id, title: id, timeoutMs, run };
}

describe("runDoctor", () => {
  it("turns a throwing check into a warn line with a fix, and keeps the others", async () => {
    const report = await runDoctor(
      [
        check("first", () => Promise.resolve({ id: "first", title: "first", status: "ok", message: "fine" })),
        check("broken", () => Promise.reject(new Error("native addon exploded\nstack…"))),
        check("last", () => Promise.resolve({ id: "last", title: "last", status: "ok", message: "fine" })),
      ],
      context,
    );
    expect(report.results.map((result) => result.id)).toEqual(["first", "broken", "last"]);
    expect(report.results[1]).toMatchObject({
      status: "warn",
      message: "Could not check: native addon exploded",
    });
    expect(report.results[1]?.fix).toBeTruthy();
    expect(report.ok).toBe(true);
  });

  it("gives up on a check that never answers", async () => {
    const [result] = await runDoctorCheck(
      check("hangs", () => new Promise(() => undefined), 50),
      context,
    );
    expect(result).toMatchObject({ id: "hangs", status: "warn" });
    expect(result?.message).toMatch(/no answer within/);
  });

  it("is not ok when any result fails, and counts each status", async () => {
    const report = await runDoctor(
      [
        check("many", () =>
          Promise.resolve([
            { id: "a", title: "a", status: "ok", message: "" },
            { id: "b", title: "b", status: "warn", message: "", fix: "x" },
            { id: "c", title: "c", status: "fail", message: "", fix: "y" },
          ]),
        ),
      ],
      context,
    );
    expect(report.ok).toBe(false);
    expect(report.counts).toEqual({ ok: 1, warn: 1, fail: 1 });
  });
});
