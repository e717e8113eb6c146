// entryScope: when an edit can be verified on one top-level entry alone, and when the whole
// document must be parsed again.
import { describe, expect, it } from '@jest/globals';
import { YamlEditor } from '../../src/yaml/editor.js';
import { entryScope } from '../../src/yaml/entry-scope.js';
import { parseYamlFile } from '../../src/yaml/file.js';
import { verifyEdit } from '../../src/yaml/verify.js';

const values =
  'replicas: 1\nimage:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0 # pinned\n# next\nservice:\n  port: 80\n';
const doc = (text: string) => parseYamlFile('values.yaml', text).docs[0]!;
const at = (text: string, needle: string) => text.indexOf(needle);
const splice = (text: string, needle: string) => [
  { start: at(text, needle), end: at(text, needle) + needle.length }
];
const set = (path: string[]) => [{ op: 'set' as const, path, value: 'x' }];

describe('entryScope', () => {
  it('is the entry from its key to the next key when every splice and op is inside it', () => {
    expect(entryScope(values, doc(values), splice(values, '1.0.0'), set(['image', 'tag']))).toEqual({
      start: at(values, 'image:'),
      end: at(values, 'service:')
    });
  });

  it('runs to the document end for the last entry', () => {
    const text = values + '---\nother: 1\n';
    const first = parseYamlFile('v', text).docs[0]!;
    expect(entryScope(text, first, splice(text, '80'), set(['service', 'port']))?.end).toBe(first.end);
  });

  it.each([
    ['an op outside the entry', values, '1.0.0', ['replicas']],
    ['a splice in two entries', values, '1.0.0 # pinned\n# next\nservice', ['image', 'tag']],
    ['an anchor anywhere', values + 'copy: &c 1\n', '1.0.0', ['image', 'tag']],
    ['an alias anywhere', 'base: &b {a: 1}\n' + values + 'copy: *b\n', '1.0.0', ['image', 'tag']],
    ['a %TAG directive', '%TAG !e! tag:example.com,2000:\n---\n' + values, '1.0.0', ['image', 'tag']],
    ['a flow root', '{image: {tag: 1.0.0}}\n', '1.0.0', ['image', 'tag']],
    ['an indented root', '  image:\n    tag: 1.0.0\n', '1.0.0', ['image', 'tag']],
    ['a list root', '- image: 1.0.0\n', '1.0.0', ['0', 'image']]
  ])('is undefined with %s', (_, text, needle, path) => {
    expect(entryScope(text, doc(text), splice(text, needle), set(path))).toBeUndefined();
  });

  it('is undefined for a splice at the very start of the entry (its key)', () => {
    expect(entryScope(values, doc(values), splice(values, 'image:'), set(['image']))).toBeUndefined();
  });
});

describe('YamlEditor with an entry-scoped check', () => {
  it('writes exactly the value, keeps every other byte, and keeps no new parse', () => {
    const editor = new YamlEditor(parseYamlFile('values.yaml', values));
    editor.set(['image', 'tag'], '1.1.0');
    const edited = editor.result();
    expect(edited.text).toBe(values.replace('1.0.0', '1.1.0'));
    expect(edited.yaml).toBeUndefined();
  });

  it('checks the whole document where an anchor could share the value', () => {
    const text = values + 'copy: &c 1\n';
    const editor = new YamlEditor(parseYamlFile('values.yaml', text));
    editor.set(['image', 'tag'], '1.1.0');
    expect(editor.result().yaml?.docs).toHaveLength(1);
  });

  it.each([
    ['the entry alone', values],
    ['the whole document', values + 'copy: &c 1\n']
  ])('refuses, checking %s, a result that changes more than the intended value', (_, text) => {
    const yaml = parseYamlFile('values.yaml', text);
    const good = text.replace('1.0.0', '1.1.0');
    const base = { yaml, doc: yaml.docs[0], splices: splice(text, '1.0.0') };
    const ops = [{ op: 'set' as const, path: ['image', 'tag'], value: '1.1.0' }];
    expect(verifyEdit({ ...base, after: good, ops }).text).toBe(good);
    const wrong = [
      [good.replace('repository', 'repo'), /would also change image/],
      [good.replace('# pinned', '# pinned\n  extra: 1'), /would also change image\.extra/],
      [good.replace('  tag: 1.1.0', 'tag: 1.1.0'), /would also change/],
      [good.replace('1.1.0 # pinned', '"1.1.0 # pinned'), /would not parse/],
      [good.replace('  tag: 1.1.0', '  tag: 1.1.0\n  tag: 2'), /would not parse \(tag/]
    ] as const;
    for (const [after, message] of wrong) {
      expect(() => verifyEdit({ ...base, after, ops })).toThrow(message);
    }
  });
});
