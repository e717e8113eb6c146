// `npm test` on a machine without the programs the suite runs says in one line what to install.
import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

it('names every missing program in one line and fails', () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-tools-'));
  const run = spawnSync(process.execPath, ['scripts/check-tools.mjs'], {
    env: { PATH: empty },
    encoding: 'utf8'
  });
  expect(run.status).toBe(1);
  expect(run.stderr.trimEnd().split('\n')).toEqual([
    expect.stringMatching(
      /^npm test needs: sudo apt-get install docker-registry apache2-utils openssl git .*; and kubectl/
    )
  ]);
});

it('passes quietly on a machine that has them', () => {
  const run = spawnSync(process.execPath, ['scripts/check-tools.mjs'], { encoding: 'utf8' });
  expect([run.status, run.stderr]).toEqual([0, '']);
});
