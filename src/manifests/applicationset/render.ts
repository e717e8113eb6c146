// Rendering an ApplicationSet template with one parameter set, as Argo CD does: every string and
// every map key of the template is rendered on its own, with Go's text/template (`goTemplate:
// true`) or fasttemplate (`{{key}}` replaced by a string parameter, anything else left as it is);
// then `templatePatch`, rendered as one string, is merged over the result (maps merged, lists
// replaced: Application lists have no merge keys).

import { parse } from 'yaml';
import { SpecError } from '../../model.js';
import { isMap } from '../fields.js';
import { renderGoTemplate, TemplateError, type GoValue } from './gotemplate/index.js';
import type { Params } from './params.js';

export interface Engine {
  goTemplate: boolean;
  missingKey: 'error' | 'default';
}

/** fasttemplate: `{{ tag }}` becomes the string parameter `tag`; other tags stay as written. */
function fastTemplate(text: string, params: Params): string {
  // Argo CD renders only strings with `{{…}}` on one line.
  const templated = text.split('\n').some((line) => {
    const open = line.indexOf('{{');
    return open >= 0 && line.indexOf('}}', open + 2) >= 0;
  });
  if (!templated) return text;
  let out = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0)
      throw new SpecError(`cannot find end tag "}}" in ${JSON.stringify(text.slice(open, open + 60))}`);
    const tag = text.slice(open + 2, close);
    const value = params[tag.trim()];
    out += text.slice(at, open) + (tag.trim() && typeof value === 'string' ? value : `{{${tag}}}`);
    at = close + 2;
  }
  return out + text.slice(at);
}

export function renderString(text: string, params: Params, engine: Engine): string {
  if (!engine.goTemplate) return fastTemplate(text, params);
  try {
    return renderGoTemplate(text, params as GoValue, { missingKey: engine.missingKey });
  } catch (err) {
    if (err instanceof TemplateError) {
      const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new SpecError(`template ${JSON.stringify(shown)}: ${err.message}`);
    }
    throw err;
  }
}

/** Every string and map key of `value`, rendered. */
export function renderValue(value: unknown, params: Params, engine: Engine): unknown {
  if (typeof value === 'string') return renderString(value, params, engine);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, params, engine));
  if (isMap(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [renderString(k, params, engine), renderValue(v, params, engine)])
    );
  }
  return value;
}

/** A strategic merge patch over objects without list merge keys: maps merge, the rest is replaced. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isMap(base) || !isMap(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergePatch(out[k], v) : v;
  }
  return out;
}

/** The rendered templatePatch, parsed. */
export function renderPatch(patch: string, params: Params, engine: Engine): unknown {
  const text = renderString(patch, params, engine);
  try {
    return parse(text) as unknown;
  } catch (err) {
    throw new SpecError(
      `the rendered templatePatch is not YAML: ${(err as Error).message}`,
      'spec.templatePatch'
    );
  }
}
