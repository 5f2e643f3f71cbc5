/** The standard list of doctor checks, in report order. */
import type { DoctorCheck } from "./doctor-check.js";
import { proxyCheck, shellIntegrationCheck } from "./environment-checks.js";
import { llamaCheck } from "./llama-check.js";
import {
  defaultModelCheck,
  modelCacheCheck,
  scanModelCacheStatus,
  type ModelStatusProvider,
} from "./model-checks.js";
import { hubCheck, readinessCheck } from "./readiness-checks.js";
import { ollamaCheck, openaiCheck } from "./server-checks.js";
import { configCheck, nodeCheck, platformCheck, threadsCheck } from "./system-checks.js";

/** Every check; `modelStatus` defaults to the best-effort cache scan (the catalog can supply a verified one). */
export function standardDoctorChecks(
  options: { modelStatus?: ModelStatusProvider | undefined } = {},
): DoctorCheck[] {
  const modelStatus = options.modelStatus ?? scanModelCacheStatus;
  return [
    readinessCheck(modelStatus),
    nodeCheck,
    platformCheck,
    configCheck,
    llamaCheck,
    threadsCheck,
    modelCacheCheck,
    defaultModelCheck(modelStatus),
    ollamaCheck,
    openaiCheck,
    hubCheck,
    proxyCheck,
    shellIntegrationCheck,
  ];
}
