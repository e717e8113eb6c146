import { describe, expect, it } from '@jest/globals';
import { isSeq, parse } from 'yaml';
import { SpecError } from '../../src/model.js';
import { YamlEditor } from '../../src/yaml/editor.js';
import { parseYamlFile } from '../../src/yaml/file.js';
import { getIn, getScalar, parseKeyPath } from '../../src/yaml/path.js';
import { formatScalar } from '../../src/yaml/scalar.js';
import { lineDiff } from '../writeback/fixtures.js';

const edit = (text: string, change: (editor: YamlEditor) => void) => {
  const editor = new YamlEditor(parseYamlFile('f.yaml', text));
  change(editor);
  return editor.result().text;
};
const set = (text: string, path: string, value: string | boolean) =>
  edit(text, (e) => e.set(parseKeyPath(path), value));

describe('YamlEditor', () => {
  it('refuses a file that does not parse, naming it', () => {
    const editor = () => new YamlEditor(parseYamlFile('apps/x/values.yaml', 'a: [\n'));
    expect(editor).toThrow(SpecError);
    expect(editor).toThrow(/apps\/x\/values\.yaml is not valid YAML/);
  });
  it('refuses a file with a repeated key, as Go decoders do', () => {
    expect(() => new YamlEditor(parseYamlFile('f', 'a: 1\nb: 2\na: 3\n'))).toThrow(
      /repeated key a \(line 3\)/
    );
  });
  it('treats an empty or comment-only file as an empty document', () => {
    expect(new YamlEditor(parseYamlFile('f', '')).root).toBeNull();
    expect(new YamlEditor(parseYamlFile('f', '# nothing\n')).root).toBeNull();
  });
});

describe('parseKeyPath', () => {
  it('splits keys and indices, honouring escaped dots', () => {
    expect(parseKeyPath('image.tag')).toEqual(['image', 'tag']);
    expect(parseKeyPath('a[0].b')).toEqual(['a', 0, 'b']);
    expect(parseKeyPath('a[1][2]')).toEqual(['a', 1, 2]);
    expect(parseKeyPath('a\\.b.c')).toEqual(['a.b', 'c']);
  });
  it('rejects malformed paths', () => {
    expect(() => parseKeyPath('a[x]')).toThrow(SpecError);
    expect(() => parseKeyPath('a..b')).toThrow(SpecError);
  });
});

describe('lookup', () => {
  const y = parseYamlFile(
    'f',
    'image:\n  tag: 1.10\nimage.name: nginx\nouter:\n  inner.tag: v1\nlist:\n- a: x\n- a: "y"\nempty: ""\nnone:\n'
  ).docs[0]!.root;
  it('finds nested keys and keeps a plain scalar as written', () => {
    // `1.10` is the float 1.1 to YAML; the version as written is what matters.
    expect(getScalar(y, ['image', 'tag'])).toBe('1.10');
  });
  it('finds literal dotted keys, also below a nested one', () => {
    expect(getScalar(y, parseKeyPath('image.name'))).toBe('nginx');
    expect(getScalar(y, parseKeyPath('outer.inner.tag'))).toBe('v1');
  });
  it('follows list indices', () => {
    expect(getScalar(y, parseKeyPath('list[1].a'))).toBe('y');
    expect(getScalar(y, parseKeyPath('list[2].a'))).toBeUndefined();
  });
  it('tells absent from empty', () => {
    expect(getScalar(y, ['empty'])).toBe('');
    expect(getScalar(y, ['none'])).toBe('');
    expect(getScalar(y, ['missing'])).toBeUndefined();
    expect(getScalar(y, ['list'])).toBeUndefined();
    expect(isSeq(getIn(y, ['list']))).toBe(true);
  });
});

describe('formatScalar', () => {
  it('quotes values that would change meaning as plain scalars (YAML 1.2 and 1.1)', () => {
    for (const v of [
      '1.10',
      'true',
      '0x1',
      'yes',
      'on',
      '0777',
      '1:20',
      '2024-01-02',
      'null',
      '~',
      '',
      'a: b',
      'a #b',
      '- x',
      '[a]',
      ' a',
      'n'
    ]) {
      expect(formatScalar(v, 'PLAIN')).toBe(JSON.stringify(v));
    }
    for (const v of ['v1.10', '1.2.3', 'nginx:1.2@sha256:abc', '2025.08.27-38', 'a#b', 'a:b', '-x']) {
      expect(formatScalar(v, 'PLAIN')).toBe(v);
    }
  });
  it('escapes within the quoting style', () => {
    expect(formatScalar("it's", 'QUOTE_SINGLE')).toBe("'it''s'");
    expect(formatScalar('a"b\\c', 'QUOTE_DOUBLE')).toBe('"a\\"b\\\\c"');
    expect(parse(`k: ${formatScalar('a"b\\c\n', 'QUOTE_DOUBLE')}`)).toEqual({ k: 'a"b\\c\n' });
    expect(parse(`k: ${formatScalar("it's", 'QUOTE_SINGLE')}`)).toEqual({ k: "it's" });
  });
});

describe('set: replacing a scalar', () => {
  const file = [
    '# Default values',
    '---',
    'image:',
    '  repository: nginx   # upstream',
    "  tag: '1.0'",
    '  other: "x"',
    '',
    '  plain: v1 # pinned',
    'anchored: &ver 1.0.0',
    ''
  ].join('\n');

  it('changes exactly one line, keeping comments, spacing and the quoting style', () => {
    const single = set(file, 'image.tag', '1.1');
    expect(lineDiff(file, single)).toEqual({ removed: ["  tag: '1.0'\n"], added: ["  tag: '1.1'\n"] });
    const double = set(file, 'image.other', 'y');
    expect(lineDiff(file, double)).toEqual({ removed: ['  other: "x"\n'], added: ['  other: "y"\n'] });
    const plain = set(file, 'image.plain', 'v2');
    expect(lineDiff(file, plain)).toEqual({
      removed: ['  plain: v1 # pinned\n'],
      added: ['  plain: v2 # pinned\n']
    });
    const spaced = set(file, 'image.repository', 'ghcr.io/o/nginx');
    expect(lineDiff(file, spaced).added).toEqual(['  repository: ghcr.io/o/nginx   # upstream\n']);
  });
  it('quotes a plain value that would otherwise change meaning', () => {
    expect(lineDiff(file, set(file, 'image.plain', '1.10')).added).toEqual(['  plain: "1.10" # pinned\n']);
    expect(parse(set(file, 'image.plain', 'true')).image.plain).toBe('true');
  });
  it('keeps an anchor', () => {
    expect(lineDiff(file, set(file, 'anchored', '2.0.0')).added).toEqual(['anchored: &ver 2.0.0\n']);
  });
  it('returns the same text when the value is already there (even if written differently)', () => {
    expect(set(file, 'image.tag', '1.0')).toBe(file);
    expect(set('tag: 1.10\n', 'tag', '1.10')).toBe('tag: 1.10\n');
  });
  it('keeps CRLF line endings and a missing final newline', () => {
    const crlf = 'a:\r\n  tag: v1\r\n  x: 1';
    expect(set(crlf, 'a.tag', 'v2')).toBe('a:\r\n  tag: v2\r\n  x: 1');
  });
  it('replaces a block scalar with a single line', () => {
    expect(set('a: |\n  old\nb: 1\n', 'a', 'new')).toBe('a: new\nb: 1\n');
  });
  it('edits inside a flow collection', () => {
    expect(set('image: {repository: nginx, tag: "1.0"}\n', 'image.tag', '1.1')).toBe(
      'image: {repository: nginx, tag: "1.1"}\n'
    );
  });
  it('edits only the first document', () => {
    expect(set('a: 1\n---\na: 1\n', 'a', 'v2')).toBe('a: v2\n---\na: 1\n');
  });
});

describe('set: creating keys in the file style', () => {
  it('adds a missing key at the end of its map, at the siblings column', () => {
    const text = 'image:\n    repository: nginx # c\n\nservice:\n    port: 80\n';
    const out = set(text, 'image.tag', 'v1');
    expect(out).toBe('image:\n    repository: nginx # c\n    tag: v1\n\nservice:\n    port: 80\n');
  });
  it('creates nested maps with the detected indent width', () => {
    const out = set('a:\n    b: 1\n', 'image.tag', '1.2');
    expect(out).toBe('a:\n    b: 1\nimage:\n    tag: "1.2"\n');
  });
  it('renders lists under a key indented or not, like the file does', () => {
    const indented = 'items:\n  - x\n';
    const notIndented = 'items:\n- x\n';
    const value = { name: 'web', list: ['a'] };
    expect(edit(indented, (e) => e.set(['new'], value))).toBe(
      indented + 'new:\n  name: web\n  list:\n    - a\n'
    );
    expect(edit(notIndented, (e) => e.set(['new'], value))).toBe(
      notIndented + 'new:\n  name: web\n  list:\n  - a\n'
    );
  });
  it('creates a list entry when the index is the next one', () => {
    expect(set('c:\n- image: a\n', 'c[1].image', 'b')).toBe('c:\n- image: a\n- image: b\n');
    expect(() => set('c:\n- image: a\n', 'c[3].image', 'b')).toThrow(SpecError);
  });
  it('fills an empty value, keeping a comment on its line', () => {
    expect(set('image:\nx: 1\n', 'image.tag', 'v1')).toBe('image:\n  tag: v1\nx: 1\n');
    expect(set('image: ~\nx: 1\n', 'image.tag', 'v1')).toBe('image:\n  tag: v1\nx: 1\n');
    expect(set('image: {}\n', 'image.tag', 'v1')).toBe('image:\n  tag: v1\n');
    expect(set('image: # set by CI\nx: 1\n', 'image.tag', 'v1')).toBe(
      'image: # set by CI\n  tag: v1\nx: 1\n'
    );
    expect(set('tag:\nx: 1\n', 'tag', 'v1')).toBe('tag: v1\nx: 1\n');
    expect(set('tag: # later\n', 'tag', 'v1')).toBe('tag: v1 # later\n');
  });
  it('writes into an empty file and keeps CRLF and a missing final newline when appending', () => {
    expect(set('', 'image.tag', 'v1')).toBe('image:\n  tag: v1\n');
    expect(set('# values\n', 'image.tag', 'v1')).toBe('# values\nimage:\n  tag: v1\n');
    expect(set('a: 1\r\nb: 2', 'image.tag', 'v1')).toBe('a: 1\r\nb: 2\r\nimage:\r\n  tag: v1');
  });
  it('refuses to descend through a scalar or to add to a flow collection', () => {
    expect(() => set('image: nginx\n', 'image.tag', 'v1')).toThrow(/image is not a map/);
    expect(() => set('image: {repository: nginx}\n', 'image.tag', 'v1')).toThrow(/flow-style/);
  });
});

describe('insertItem / deleteKey', () => {
  const text = 'list:\n  - name: a\n    value: 1\n  # about c\n  - name: c\n    value: 3\nafter: x\n';
  it('inserts an entry before another or at the end, in the list style', () => {
    expect(edit(text, (e) => e.insertItem(['list'], 1, { name: 'b', value: '2' }))).toBe(
      // The comment above c stays with c.
      'list:\n  - name: a\n    value: 1\n  - name: b\n    value: "2"\n  # about c\n  - name: c\n    value: 3\nafter: x\n'
    );
    expect(
      lineDiff(
        text,
        edit(text, (e) => e.insertItem(['list'], 2, 'd'))
      ).added
    ).toEqual(['  - d\n']);
  });
  it('keeps the dash offset of existing entries', () => {
    const wide = 'l:\n-   name: a\n    v: 1\n';
    expect(edit(wide, (e) => e.insertItem(['l'], 1, { name: 'b', v: 'x' }))).toBe(
      wide + '-   name: b\n    v: x\n'
    );
  });
  it('removes a key line, or moves the next key onto the dash', () => {
    expect(edit(text, (e) => e.deleteKey(['list', 0], 'value'))).toBe(text.replace('    value: 1\n', ''));
    expect(edit(text, (e) => e.deleteKey(['list', 0], 'name'))).toBe(
      text.replace('- name: a\n    value: 1', '- value: 1')
    );
    expect(edit(text, (e) => e.deleteKey(['list', 0], 'absent'))).toBe(text);
  });
});
