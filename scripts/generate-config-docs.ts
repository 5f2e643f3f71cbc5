import fs from "node:fs";
import { renderConfigDocs } from "../src/config/render-config-docs.js";

fs.writeFileSync(new URL("../docs/configuration.md", import.meta.url), renderConfigDocs());
