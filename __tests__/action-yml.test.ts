import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INPUTS } from '../src/inputs.js';

// action.yml and src/inputs.ts describe the same inputs; the CLI takes them under the same names.
it('action.yml declares exactly the inputs of src/inputs.ts, with the same defaults', () => {
  const action = parse(readFileSync('action.yml', 'utf8'));
  expect(Object.keys(action.inputs)).toEqual(INPUTS.map((i) => i.name));
  for (const input of INPUTS) {
    expect(action.inputs[input.name].default).toBe(input.default);
    expect(action.inputs[input.name].description).toBe(input.description);
  }
  expect(Object.keys(action.outputs)).toEqual(['updates', 'skipped', 'errors', 'pull-requests', 'changed']);
  expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
});
