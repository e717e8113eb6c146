/* eslint-disable no-control-regex -- the payloads are control characters */
// Bad-input corpus, part 6: outside data never speaks for us. Values from the repo (a current tag,
// a source path, an annotation key, a file name) carry workflow commands, ANSI escapes, Markdown
// and @mentions; the bundled action's log (as the runner splits it into lines), its job summary,
// the CLI's terminal output and PR titles must show them as text, never obey them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { renderTitle, renderCommitMessage, templateView } from '../../src/publish/templates.js';
import { jsonText, logLine, logLines, printable } from '../../src/report/escape.js';
import { code, escapeHtml, preformatted } from '../../src/report/html.js';
import { runBundledAction } from '../../test-support/action.js';
import { startFakeGitHub } from '../../test-support/github/index.js';
import { application } from './harness.js';
import { startLyingRegistry, type LyingRegistry } from './lying-registry.js';
import { imageChange } from '../publish/helpers.js';

/** Every way a log line can become a workflow command, and a terminal be driven. */
const PAYLOAD =
  '1.0.0\n::notice::pwned-lf\r::add-mask::pwned-cr\u2028::notice::pwned-ls ##[notice]pwned-v1 ' +
  '\u001b[31mred\u001b[0m \u009b31m \u202eevil';

/** The runner's idea of lines: .NET ReadLine splits on CR, LF and CRLF. */
const runnerLines = (log: string) => log.split(/\r\n|\r|\n/);

/** What the runner would obey in `log`: `::cmd` after leading whitespace, `##[cmd]` anywhere. */
function commandsIn(log: string): string[] {
  return runnerLines(log).filter((line) => /^\s*::/.test(line) || line.includes('##['));
}

describe('escape functions', () => {
  it('printable shows line breaks, controls, ESC, C1 and bidi overrides as escapes', () => {
    const out = printable(PAYLOAD);
    expect(out).not.toMatch(/[\n\r\u2028\u001b\u009b\u202e]/);
    expect(out).toContain('\\n::notice::pwned-lf\\r::add-mask::pwned-cr\\u2028');
    expect(out).toContain('\\u001b[31mred');
    expect(printable('ok \ud800 lone')).toBe('ok \ufffd lone');
  });

  it.each([
    ['::notice::x'],
    ['  ::notice::x'],
    ['\u00a0\u3000::notice::x'],
    ['\t::warning::x'],
    ['text ##[warning]x'],
    ['##[add-mask]x'],
    [PAYLOAD]
  ])('logLine(%j) is no workflow command for the runner', (text) => {
    const line = logLine(text);
    expect(commandsIn(line)).toEqual([]);
    expect(runnerLines(line)).toHaveLength(1);
  });

  it('logLines keeps line structure (CRLF too) and neutralises each line', () => {
    const out = logLines('a\r\n::notice::x\r\nb ##[error]y\n');
    expect(out.split('\n')).toHaveLength(4);
    expect(commandsIn(out)).toEqual([]);
    expect(out).not.toContain('\r');
  });

  it('jsonText is the same data, with no raw line separators, C1 or "##["', () => {
    const value = { tag: PAYLOAD, n: 1 };
    const text = jsonText(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(commandsIn(text)).toEqual([]);
    expect(text).not.toMatch(/[\u2028\u009b\u202e\u001b]/);
  });

  it('Markdown: one table cell stays one cell, with no heading, mention or link', () => {
    const hostile = 'x | y\n# Heading @octocat [link](https://evil.example) <img src=x> #1 *b*';
    for (const cell of [escapeHtml(hostile), code(hostile)]) {
      expect(cell).not.toMatch(/[\n\r|[\]*]/);
      expect(cell).not.toContain('<img');
    }
    expect(escapeHtml(hostile)).toContain('@&#8203;octocat');
    expect(escapeHtml(hostile)).toContain('#&#8203;1');
    // Inside <code> GitHub neither mentions nor links: the text stays exact for copying.
    expect(code('1.0@sha256:ab')).toBe('<code>1.0@sha256:ab</code>');
    const pre = preformatted('+ tag: 1\r\n- </pre><script>\n');
    expect(pre).toBe('<pre>+ tag: 1\n- &#60;/pre&#62;&#60;script&#62;\n</pre>');
  });

  it('PR titles and commit messages carry no line breaks or escapes from outside values', () => {
    const view = templateView('web', [imageChange({ from: PAYLOAD, alias: 'web' })]);
    const title = renderTitle('', view);
    expect(title).not.toMatch(/[\n\r\u001b\u009b\u2028\u202e]/);
    const message = renderCommitMessage('', view);
    // A newline in a value could forge a trailer such as "Signed-off-by:".
    expect(message.split('\n')).toHaveLength(3);
    expect(message).not.toMatch(/[\r\u001b\u009b\u2028\u202e]/);
    expect(renderTitle('{{app}}\n::notice::{{app}}\u001b[2J', view)).toBe('web ::notice::web\\u001b[2J');
  });
});

describe('hostile repo data through the CLI and the bundled action', () => {
  let registry: LyingRegistry;
  const registries = () => `- prefix: ghcr.io\n  api-url: ${registry.url}\n  insecure: true`;
  const helm = { repoURL: 'https://github.com/acme/cluster-config.git' };
  const files: Record<string, string> = {
    'apps/web.yaml': application({
      name: 'web',
      annotations: {
        'image-list': 'web=ghcr.io/acme/web',
        'write-back-target': 'helmvalues',
        'argocd-image-updater.argoproj.io/x\n::notice::pwned-key\n# pwned heading @octocat': 'v',
        'argocd-image-updater.argoproj.i\u043e/image-list': 'lookalike=ghcr.io/acme/web'
      },
      source: { ...helm, path: 'charts/web' }
    }),
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/values.yaml': `image:\n  name: ghcr.io/acme/web\n  tag: ${JSON.stringify(PAYLOAD)}\n`,
    'apps/path.yaml': application({
      name: 'path',
      annotations: { 'image-list': 'web=ghcr.io/acme/web' },
      source: { ...helm, path: 'charts/x\n::notice::pwned-path ##[notice]pwned-path' }
    }),
    'apps/evil\n::notice::pwned-file.yaml': application({
      name: 'file',
      annotations: { 'image-list': 'web=ghcr.io/acme/web\n::notice::pwned-list' },
      source: { ...helm, path: 'charts/web' }
    })
  };

  beforeAll(async () => {
    registry = await startLyingRegistry();
  });
  afterAll(() => registry?.stop());

  it('the CLI report on a terminal (stdout and stderr) obeys nothing and drives no terminal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'argocd-image-pr-escape-'));
    try {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      let out = '';
      const code = await runCli(['--dir', dir, '--registries', registries()], {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t)
      });
      expect(code).toBe(1);
      expect(out).toContain('pwned-lf');
      expect(out).toContain('pwned-key');
      expect(commandsIn(out)).toEqual([]);
      expect(out).not.toMatch(/[\u001b\u009b\u2028\u202e]/);
      let json = '';
      await runCli(['--dir', dir, '--json', '--registries', registries()], {
        stdout: (t) => (json += t),
        stderr: () => {}
      });
      expect(commandsIn(json)).toEqual([]);
      expect(JSON.parse(json).updates[0].from).toBe(PAYLOAD);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each<[string, Record<string, string>]>([
    ['summary in the job summary file', {}],
    ['summary in the log (no GITHUB_STEP_SUMMARY)', { GITHUB_STEP_SUMMARY: '' }]
  ])('the action log, dry run, %s: no injected command, no escape sequence', async (_what, env) => {
    const fake = await startFakeGitHub({ owner: 'acme', repo: 'cluster-config', files });
    try {
      const run = await runBundledAction(
        { token: fake.token, 'api-url': fake.url, registries: registries(), 'dry-run': 'true' },
        { GITHUB_REPOSITORY: 'acme/cluster-config', ...env }
      );
      expect(run.log).toContain('pwned-lf');
      expect(run.log).toContain('pwned-key');
      // Our own commands only: masks, groups, and errors whose data @actions/core has encoded.
      for (const line of commandsIn(run.log)) {
        expect(line).toMatch(/^::(add-mask|group|endgroup|error|warning)(::| )/);
        expect(line).not.toMatch(/^::[a-z-]+[^:]*::pwned/);
      }
      expect(run.log).not.toMatch(/[\u001b\u009b\u2028\u202e]/);
      if ('GITHUB_STEP_SUMMARY' in env) return;
      const summary = run.summary;
      expect(summary).toContain('pwned-lf');
      // Each table row stays one line; nothing outside renders a heading or mentions anyone.
      for (const line of summary.split('\n')) {
        if (line.startsWith('#')) expect(line).toMatch(/^#{2,3} [^#]/);
        expect(line).not.toMatch(/# pwned heading/);
      }
      expect(summary).not.toMatch(/@octocat/);
      expect(summary).toContain('@&#8203;octocat');
    } finally {
      await fake.stop();
    }
  });
});
