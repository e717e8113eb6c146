// The inputs (README "Inputs"), shared by the action (action.yml) and the CLI (`--<name> VALUE`), so
// both front doors take the same names, defaults and validation.

import { parse } from 'yaml';
import { SpecError, type Cluster } from './model.js';
import { parseVerifyInput, type VerifyInput } from './verify/config.js';
import { parseAge } from './images/age.js';
import { branchPrefixProblem } from './publish/branch-name.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface InputDefinition {
  name: string;
  description: string;
  /** Default as written in action.yml (`${{ ... }}` expressions are resolved by the runner). */
  default: string;
  secret?: boolean;
}

export const INPUTS: readonly InputDefinition[] = [
  {
    name: 'token',
    default: '${{ github.token }}',
    secret: true,
    description: 'Token for the cluster-config repo (contents and pull-requests write).'
  },
  {
    name: 'repository',
    default: '${{ github.repository }}',
    description: 'owner/name of the cluster-config repo.'
  },
  {
    name: 'base-branch',
    default: '',
    description: "Branch to read and open PRs against; default the repo's default branch."
  },
  {
    name: 'applications',
    default: '',
    description:
      'Globs of manifest files holding Applications and ImageUpdater CRs; default every *.yaml/*.yml.'
  },
  {
    name: 'images',
    default: '',
    description:
      'Freshly pushed image refs (newline or comma separated, e.g. steps.meta.outputs.tags); empty checks every image.'
  },
  {
    name: 'registries',
    default: '',
    description:
      'YAML list of registries: prefix, api-url, insecure, credentials (env:VAR or docker-config), default.'
  },
  { name: 'registry-username', default: '${{ github.actor }}', description: 'Username for ghcr.io.' },
  {
    name: 'registry-password',
    default: '${{ github.token }}',
    secret: true,
    description: 'Password or token for ghcr.io.'
  },
  { name: 'registry-concurrency', default: '8', description: 'Most registry requests in flight at once.' },
  {
    name: 'pull-request',
    default: 'per-application',
    description: 'per-application, single (one PR for all), or none (commit to the base branch).'
  },
  {
    name: 'branch-prefix',
    default: 'argocd-image-pr/',
    description: 'Prefix of the PR branches (<prefix><app>).'
  },
  { name: 'labels', default: '', description: 'Labels to add to PRs (created if missing).' },
  { name: 'reviewers', default: '', description: 'Users to request reviews from.' },
  { name: 'team-reviewers', default: '', description: 'Teams to request reviews from.' },
  { name: 'assignees', default: '', description: 'Users to assign the PRs to.' },
  { name: 'draft', default: 'false', description: 'Open PRs as drafts.' },
  {
    name: 'auto-merge',
    default: '',
    description: "Enable auto-merge with this method: '', merge, squash or rebase."
  },
  {
    name: 'commit-message',
    default: '',
    description:
      'Commit message template; default "build: automatic update of {{app}}" plus a line per image.'
  },
  {
    name: 'title',
    default: '',
    description: 'PR title template; default "Update {{app}}: ..." listing the images.'
  },
  { name: 'allow-downgrade', default: 'false', description: 'Propose versions older than the one in git.' },
  {
    name: 'argocd-namespace',
    default: 'argocd',
    description: 'Namespace Argo CD runs in (decides .argocd-source-<ns>_<app>.yaml names).'
  },
  { name: 'dry-run', default: 'false', description: 'Plan and report, write nothing.' },
  {
    name: 'ghcr-packages-api',
    default: 'false',
    description: 'Use the GitHub Packages API for newest-build on ghcr.io (push time, not build time).'
  },
  {
    name: 'clusters',
    default: '',
    description:
      'YAML list of the clusters Argo CD knows (name, server, labels, annotations), for ApplicationSet clusters generators.'
  },
  {
    name: 'min-age',
    default: '',
    description: 'Propose only builds at least this old, by build date (e.g. 2h, 3d, 1w); empty: any age.'
  },
  {
    name: 'verify',
    default: '',
    description:
      'YAML: signatures or attestations every proposed image must have (cosign-key, keyless, github-attestations); see the README.'
  },
  {
    name: 'write-budget',
    default: '500',
    description:
      'Most GitHub writes one run makes (GitHub allows about 500 an hour); PRs beyond it wait for the next run.'
  },
  { name: 'api-url', default: '${{ github.api_url }}', description: 'GitHub API URL (GitHub Enterprise).' }
];

export type PullRequestMode = 'per-application' | 'single' | 'none';
export type AutoMerge = '' | 'merge' | 'squash' | 'rebase';

export interface Inputs {
  token: string;
  /** owner/name; undefined in the CLI with --dir and no --repository (every app points at the dir). */
  repository?: string;
  baseBranch?: string;
  applications: string[];
  images: string[];
  registries: string;
  registryUsername: string;
  registryPassword: string;
  registryConcurrency: number;
  writeBudget: number;
  /** Least build age, in ms, of a proposed version (`min-age`); undefined: any. */
  minAgeMs?: number;
  /** Signature and provenance checks for every proposed image (`verify`). */
  verify?: VerifyInput;
  pullRequest: PullRequestMode;
  branchPrefix: string;
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
  assignees: string[];
  draft: boolean;
  autoMerge: AutoMerge;
  commitMessage: string;
  title: string;
  allowDowngrade: boolean;
  argocdNamespace: string;
  dryRun: boolean;
  ghcrPackagesApi: boolean;
  /** Undefined when not given: ApplicationSets with a clusters generator are then skipped. */
  clusters?: Cluster[];
  apiUrl: string;
}

/** The `clusters` input: a YAML list of `{name, server, labels, annotations}`. */
export function parseClusters(text: string): Cluster[] | undefined {
  if (!text.trim()) return undefined;
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new UsageError(`input "clusters" is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(data))
    throw new UsageError('input "clusters" must be a YAML list of {name, server, labels, annotations}');
  const strings = (v: unknown, where: string): Record<string, string> => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v))
      throw new UsageError(`input "clusters": ${where} must be a mapping`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  };
  return data.map((item: unknown, i) => {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof c.name !== 'string' || typeof c.server !== 'string' || !c.name || !c.server) {
      throw new UsageError(`input "clusters": entry ${i + 1} needs a name and a server`);
    }
    return {
      name: c.name,
      server: c.server,
      labels: strings(c.labels, `entry ${i + 1} labels`),
      annotations: strings(c.annotations, `entry ${i + 1} annotations`)
    };
  });
}

/**
 * Splits a newline/comma separated list, trimming entries and dropping empty ones. Commas inside
 * `{...}` stay: they belong to a brace glob (`apps/{web,api}/*.yaml`).
 */
export function parseList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let item = '';
  for (const c of value) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (c === '\n' || (c === ',' && depth === 0)) {
      out.push(item);
      item = '';
    } else item += c;
  }
  out.push(item);
  return out.map((s) => s.trim()).filter(Boolean);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `input "${name}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got "${value}"`
  );
}

function bool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0', ''].includes(v)) return false;
  throw new UsageError(`input "${name}" must be true or false; got "${value}"`);
}

const withClusters = (clusters: Cluster[] | undefined) => (clusters ? { clusters } : {});

/**
 * Builds Inputs from raw values. `get` returns the value given for an input name, or undefined
 * when not given; unresolved `${{ }}` defaults (CLI) count as not given.
 */
export function parseInputs(get: (name: string) => string | undefined): Inputs {
  const raw = (name: string): string => {
    const given = get(name);
    if (given !== undefined) return given.trim();
    const def = INPUTS.find((i) => i.name === name)?.default ?? '';
    return def.includes('${{') ? '' : def;
  };
  const concurrency = Number(raw('registry-concurrency'));
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(
      `input "registry-concurrency" must be a whole number from 1 to 64; got "${raw('registry-concurrency')}"`
    );
  }
  const writeBudget = Number(raw('write-budget'));
  if (!Number.isInteger(writeBudget) || writeBudget < 1) {
    throw new UsageError(
      `input "write-budget" must be a whole number of at least 1; got "${raw('write-budget')}"`
    );
  }
  const minAge = raw('min-age');
  const minAgeMs = minAge ? parseAge(minAge) : undefined;
  if (minAge && minAgeMs === undefined) {
    throw new UsageError(`input "min-age" must be an age such as 30m, 2h, 3d, 1w or 1d12h; got "${minAge}"`);
  }
  let verify: VerifyInput | undefined;
  try {
    verify = parseVerifyInput(raw('verify'));
  } catch (err) {
    const field = err instanceof SpecError && err.field ? err.field : 'verify';
    throw new UsageError(`input ${field}: ${(err as Error).message}`, { cause: err });
  }
  const prefixProblem = branchPrefixProblem(raw('branch-prefix'));
  if (prefixProblem) {
    throw new UsageError(`input "branch-prefix" ${prefixProblem}: ${JSON.stringify(raw('branch-prefix'))}`);
  }
  const repository = raw('repository') || undefined;
  if (repository && !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new UsageError(`input "repository" must be owner/name; got "${repository}"`);
  }
  return {
    token: raw('token'),
    repository,
    baseBranch: raw('base-branch') || undefined,
    applications: parseList(raw('applications')),
    images: parseList(raw('images')),
    registries: raw('registries'),
    registryUsername: raw('registry-username'),
    registryPassword: raw('registry-password'),
    registryConcurrency: concurrency,
    writeBudget,
    ...(minAgeMs && { minAgeMs }),
    ...(verify && { verify }),
    pullRequest: oneOf('pull-request', raw('pull-request'), ['per-application', 'single', 'none'] as const),
    branchPrefix: raw('branch-prefix'),
    labels: parseList(raw('labels')),
    reviewers: parseList(raw('reviewers')),
    teamReviewers: parseList(raw('team-reviewers')),
    assignees: parseList(raw('assignees')),
    draft: bool('draft', raw('draft')),
    autoMerge: oneOf('auto-merge', raw('auto-merge'), ['', 'merge', 'squash', 'rebase'] as const),
    commitMessage: raw('commit-message'),
    title: raw('title'),
    allowDowngrade: bool('allow-downgrade', raw('allow-downgrade')),
    argocdNamespace: raw('argocd-namespace') || 'argocd',
    dryRun: bool('dry-run', raw('dry-run')),
    ghcrPackagesApi: bool('ghcr-packages-api', raw('ghcr-packages-api')),
    ...withClusters(parseClusters(raw('clusters'))),
    apiUrl: raw('api-url') || process.env.GITHUB_API_URL || 'https://api.github.com'
  };
}
