/**
 * The folders an eval run works in: one template per setup (built on first use) and a fresh copy of it for
 * every command, removed after its tree was read. Everything lives in one temp folder, removed by `dispose`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chownTree, copyTree, loadSetupManifest, materializeSetup, removeTree } from "./file-system-setup.js";
import type { ExecutionOutcome } from "./judge-execution.js";
import type { Sandbox } from "./sandbox.js";
import { snapshotTree, type TreeSnapshot } from "./tree-snapshot.js";

export class EvalWorkspace {
  private readonly root: string;
  private readonly templates = new Map<string, Promise<{ folder: string; initial: TreeSnapshot }>>();
  private runs = 0;

  constructor(private readonly sandbox: Sandbox) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-eval-"));
    // The sandbox may run as `nobody` (see sandbox.ts): it must be able to reach its copies.
    fs.chmodSync(this.root, 0o711);
  }

  /** The setup's template and the tree it starts with, built on first use. */
  template(setup: string): Promise<{ folder: string; initial: TreeSnapshot }> {
    let template = this.templates.get(setup);
    if (template === undefined) {
      const folder = path.join(this.root, `template-${setup}`);
      fs.mkdirSync(folder);
      materializeSetup(loadSetupManifest(setup), folder);
      template = snapshotTree(folder, this.sandbox.mountNames).then((initial) => ({ folder, initial }));
      this.templates.set(setup, template);
    }
    return template;
  }

  /** Run one command in a fresh copy of the setup and read what it left. */
  async execute(setup: string, command: string, signal?: AbortSignal): Promise<ExecutionOutcome> {
    const { folder } = await this.template(setup);
    const copy = path.join(this.root, `run-${++this.runs}`);
    try {
      await copyTree(folder, copy);
      await this.sandbox.prepareRoot(copy, chownTree);
      const result = await this.sandbox.run(command, copy, signal === undefined ? {} : { signal });
      return { result, tree: await snapshotTree(copy, this.sandbox.mountNames) };
    } finally {
      await removeTree(copy);
    }
  }

  async dispose(): Promise<void> {
    await removeTree(this.root);
  }
}
