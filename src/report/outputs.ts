import type { RunResult } from '../run.js';

/** The outputs object (action outputs, CLI `--json`; README "Outputs"). */
export function toOutputs(result: RunResult, apiRequests?: number) {
  return {
    updates: result.updates.map(({ app, alias, image, from, to, strategy, file, files }) => ({
      app,
      alias,
      image,
      from,
      to,
      strategy,
      file,
      ...(files && { files })
    })),
    skipped: result.skipped,
    errors: result.errors,
    changed: result.changed,
    stats: { ...result.stats, ...(apiRequests !== undefined && { apiRequests }) }
  };
}
