// Branch names that git and GitHub accept whatever the Application is called (git-check-ref-format):
// no `..`, `~`, `^`, `:`, `?`, `*`, `[`, `\`, spaces or control characters, no component that starts
// with `.` or ends with `.lock`, no `@{`, and a bounded length. A name that has to change gets a
// stable hash suffix, so that two apps whose names sanitise alike never share a branch.

import { createHash } from 'node:crypto';

/** GitHub refuses refs longer than this (in bytes); room is left for the prefix. */
const MAX_BRANCH = 200;

// eslint-disable-next-line no-control-regex -- control characters are what git refuses
const INVALID = /[\u0000-\u0020\u007f~^:?*[\\]|\.\.|@\{/g;

function component(part: string): string {
  let out = part.replace(INVALID, '-');
  while (out.startsWith('.')) out = out.slice(1);
  while (out.endsWith('.') || out.endsWith('.lock'))
    out = out.endsWith('.') ? out.slice(0, -1) : out.slice(0, -5);
  return out || '-';
}

/** A valid branch name for `prefix` + `name`; `name` is sanitised (and hashed when changed or cut). */
export function branchName(prefix: string, name: string): string {
  const clean = name.split('/').map(component).join('/');
  const room = MAX_BRANCH - Buffer.byteLength(prefix);
  if (clean === name && Buffer.byteLength(clean) <= room) return prefix + name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let cut = clean;
  while (Buffer.byteLength(cut) > room - 9) cut = cut.slice(0, -1);
  return `${prefix}${component(cut)}-${hash}`;
}

/** Why the branch-prefix input cannot start a branch name, or undefined when it can. */
export function branchPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'is empty';
  if (prefix.startsWith('/') || prefix.includes('//')) return 'has an empty path component';
  const parts = prefix.split('/');
  if (parts.some((p, i) => (i < parts.length - 1 || p !== '') && p !== component(p))) {
    return 'is not a valid start of a git branch name (no spaces, `..`, `~`, `^`, `:`, `?`, `*`, `[`, `\\`, `@{`, no component starting with `.` or ending in `.lock`)';
  }
  if (Buffer.byteLength(prefix) > MAX_BRANCH / 2) return `is longer than ${MAX_BRANCH / 2} bytes`;
  return undefined;
}
