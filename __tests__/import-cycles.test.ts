// The module graph of src/ has no cycles (type-only imports included): a reader can take the
// folders bottom-up, and a writer never depends on the planner that picks it.
import { expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []
  );
}

it('src/ has no import cycles', () => {
  const graph = new Map<string, string[]>();
  for (const file of sources('src')) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/from '(\.[^']+)'/g)].map((m) =>
      normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')))
    );
    graph.set(normalize(file), deps);
  }
  const cycles: string[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string) => {
    const at = stack.indexOf(node);
    if (at >= 0) return void cycles.push([...stack.slice(at), node].join(' -> '));
    if (done.has(node)) return;
    stack.push(node);
    for (const dep of graph.get(node) ?? []) visit(dep);
    stack.pop();
    done.add(node);
  };
  for (const file of graph.keys()) visit(file);
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles).toEqual([]);
});
