// The Go template engine against real Go's answers (test-support/gotemplate/README.md).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  renderGoTemplate,
  TemplateError,
  type GoValue
} from '../../../src/manifests/applicationset/gotemplate/index.js';

interface Vector {
  name: string;
  template: string;
  options: string[];
  go: { out?: string; err?: string };
}
const vectors = JSON.parse(readFileSync('test-support/gotemplate/vectors.json', 'utf8')) as {
  data: GoValue;
  cases: Vector[];
};

const render = (v: Vector) =>
  renderGoTemplate(v.template, vectors.data, {
    missingKey: v.options.includes('missingkey=error') ? 'error' : 'default'
  });

describe('Go text/template, as real Go renders it', () => {
  it.each(vectors.cases.filter((v) => v.go.out !== undefined).map((v) => [v.name, v] as const))(
    '%s',
    (_, v) => {
      expect(render(v)).toBe(v.go.out);
    }
  );

  it.each(vectors.cases.filter((v) => v.go.err !== undefined).map((v) => [v.name, v] as const))(
    '%s is refused',
    (_, v) => {
      let error: unknown;
      try {
        render(v);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).phase).toBe(v.go.err!.startsWith('parse:') ? 'parse' : 'exec');
    }
  );
});

describe('bounded work on hostile templates', () => {
  it('refuses runaway output and recursion quickly', () => {
    const started = Date.now();
    expect(() =>
      renderGoTemplate('{{range $i := 100000}}{{range 1000}}xxxxxxxxxx{{end}}{{end}}', {})
    ).toThrow(TemplateError);
    expect(() => renderGoTemplate('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', {})).toThrow(
      TemplateError
    );
    expect(() => renderGoTemplate(`${'{{if true}}'.repeat(200)}x${'{{end}}'.repeat(200)}`, {})).toThrow(
      TemplateError
    );
    expect(() =>
      renderGoTemplate('{{ regexMatch "(a+)+$" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" }}', {})
    ).not.toThrow();
    expect(() => renderGoTemplate('{{range 1000000000000}}x{{end}}', {})).toThrow(/takes more than/);
    expect(() => renderGoTemplate('{{ "x" | indent 1000000000000 }}', {})).toThrow(/exceeds/);
    expect(() => renderGoTemplate('{{ repeat 1000000000 "xx" }}', {})).toThrow(/would exceed/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('names a sprig function it does not implement', () => {
    expect(() => renderGoTemplate('{{ uuidv4 }}', {})).toThrow(
      'the sprig function "uuidv4" is not supported by argocd-image-pr'
    );
  });
});
