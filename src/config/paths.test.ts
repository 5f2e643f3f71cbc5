import { describe, expect, it } from "vitest";
import { expandHome, pathEnvironmentFrom, type PathEnvironment } from "./paths.js";

const linux: PathEnvironment = { env: {}, platform: "linux", homedir: "/home/ada" };
const windows: PathEnvironment = { env: {}, platform: "win32", homedir: "C:\\Users\\ada" };

describe("expandHome", () => {
  it.each([
    ["~", "/home/ada"],
    ["~/models/m.gguf", "/home/ada/models/m.gguf"],
    ["~bob/m.gguf", "~bob/m.gguf"],
    ["./~/m.gguf", "./~/m.gguf"],
    ["/abs/m.gguf", "/abs/m.gguf"],
  ])("%s → %s on Linux", (typed, expected) => {
    expect(expandHome(typed, linux)).toBe(expected);
  });

  it("takes either separator on Windows", () => {
    expect(expandHome("~\\models\\m.gguf", windows)).toBe("C:\\Users\\ada\\models\\m.gguf");
    expect(expandHome("~/m.gguf", windows)).toBe("C:\\Users\\ada\\m.gguf");
    expect(expandHome("~\\m.gguf", linux)).toBe("~\\m.gguf");
  });
});

describe("pathEnvironmentFrom", () => {
  it("prefers the given home folder, then the environment's HOME", () => {
    expect(pathEnvironmentFrom({ HOME: "/tmp/h" }, "/given").homedir).toBe("/given");
    if (process.platform !== "win32") {
      expect(pathEnvironmentFrom({ HOME: "/tmp/h" }).homedir).toBe("/tmp/h");
      expect(pathEnvironmentFrom({ HOME: " " }).homedir).not.toBe(" ");
    }
  });
});
