// Go text/template, as Argo CD renders `goTemplate: true` ApplicationSets (with sprig and its own
// functions). Parse errors name the construct; `missingkey=error` is honoured.
import { execute } from './exec.js';
import { FUNCTIONS, isFunction, notAFunction } from './funcs.js';
import { parseTemplate, TemplateError } from './parse.js';
import type { GoValue } from './values.js';

export { TemplateError };
export type { GoValue };

export interface RenderOptions {
  /** From goTemplateOptions: `missingkey=error` makes a missing map key an error. */
  missingKey?: 'error' | 'default';
}

export function renderGoTemplate(template: string, data: GoValue, options: RenderOptions = {}): string {
  const parsed = parseTemplate(template, { has: isFunction, unknown: notAFunction });
  return execute(parsed, data, { missingKey: options.missingKey ?? 'default', funcs: FUNCTIONS });
}
