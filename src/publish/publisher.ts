// Publishing one run's result: one PR per app (or one for all, or a direct commit), updated in
// place when it exists, closed when no longer needed; nothing is written when nothing changed.

import pLimit from 'p-limit';
import type { ImageMetadata } from '../images/metadata.js';
import { githubMessage, httpStatus, type GitHubClient } from '../github/client.js';
import type { Inputs } from '../inputs.js';
import { OPEN_CLUSTER_PART, type ImageChange, type UpdateSpec } from '../model.js';
import type { GitHubRepoSource } from '../repo/github.js';
import { code } from '../report/html.js';
import type { ImageSource, SourceHistory } from '../github/source-history.js';
import { MAX_BODY, renderPullRequestBody, type ChangeDetail } from '../report/pr-body.js';
import { toRunError, type AppResult, type RunResult } from '../run.js';
import { hasEscapedBytes } from '../repo/bytes.js';
import { branchName } from './branch-name.js';
import { newPullRequestWrites, updateWrites, type WriteBudget } from './budget.js';
import { commitToBase, plainFiles } from './commit.js';
import { markedUpdates, updateSetKey, withMarker, type Marker } from './marker.js';
import { PrBranches } from './branches.js';
import { PullRequestWriter } from './pull-request.js';
import { heldByOthers, RECREATE_LABEL, type PullRequest, type PullRequests } from './pulls.js';
import { renderCommitMessage, renderTitle, templateView } from './templates.js';
import { treeIdWith } from './tree.js';
import { instanceName } from '../writeback/argocd-source.js';

export type Operation = 'created' | 'updated' | 'unchanged' | 'closed';

export interface PublishedPullRequest {
  app: string;
  number: number;
  url: string;
  operation: Operation;
  headSha: string;
}

export interface PublisherContext {
  inputs: Inputs;
  github: GitHubClient;
  source: GitHubRepoSource;
  pulls: PullRequests;
  metadata: ImageMetadata;
  result: RunResult;
  /** The token's login: PRs and branches it made are ours (pulls.ts). */
  viewer: () => Promise<string>;
  /** The run's writes (budget.ts); what does not fit waits for the next run. */
  budget: WriteBudget;
  /** Commits and releases of the images' source repositories, for the PR bodies. */
  history: SourceHistory;
  log: (line: string) => void;
  warn: (line: string) => void;
}

/**
 * `<branch-prefix><app>`, with the namespace for apps outside the Argo CD namespace (as Argo CD
 * names them); an app generated for every cluster at once has `all-clusters` for the open part.
 * Always a valid branch name (branch-name.ts).
 */
export function branchFor(
  spec: UpdateSpec,
  inputs: Pick<Inputs, 'branchPrefix' | 'pullRequest' | 'argocdNamespace'>
) {
  if (inputs.pullRequest === 'single') return `${inputs.branchPrefix}all`;
  const name = instanceName(spec, inputs.argocdNamespace).replaceAll(OPEN_CLUSTER_PART, 'all-clusters');
  return branchName(inputs.branchPrefix, name);
}

interface Group {
  branch: string;
  apps: AppResult[];
  changes: ImageChange[];
}

type Entries = (
  op: Operation,
  pr: { number: number; url: string },
  headSha: string
) => PublishedPullRequest[];

/** A group read and checked: done already (nothing to write), or `writes` writes away. */
type Step = { done: PublishedPullRequest[] } | { writes: number; run: () => Promise<PublishedPullRequest[]> };

export class Publisher {
  /** The source changes described in this run's PR bodies, by `app\u0000alias`, for the job summary. */
  private readonly described = new Map<string, ImageSource>();
  private readonly octokit;
  private readonly writer: PullRequestWriter;

  private readonly branches: PrBranches;

  constructor(private readonly ctx: PublisherContext) {
    this.octokit = ctx.github.octokit;
    this.writer = new PullRequestWriter(this.octokit, ctx.source, ctx.pulls, ctx.inputs, ctx.warn);
    this.branches = new PrBranches(this.octokit, ctx.source, ctx.pulls, ctx.viewer, ctx.warn);
  }

  /** The source changes the PR bodies of this run show, one per image. */
  get sources(): ImageSource[] {
    return [...this.described.values()];
  }

  /** `pull-request: none`: every edit in one commit on the base branch. */
  async commit(): Promise<{ commit?: string }> {
    const { result, source, inputs } = this.ctx;
    if (!result.edits.length) return {};
    const changes = result.updates;
    const apps = [...new Set(changes.map((c) => c.app))];
    const message = renderCommitMessage(inputs.commitMessage, templateView(apps.join(', '), changes));
    const commit = await commitToBase(this.octokit, source, result.edits, message);
    this.ctx.log(`committed ${commit.slice(0, 12)} to ${source.branch}`);
    return { commit };
  }

  async pullRequests(): Promise<PublishedPullRequest[]> {
    const { result, inputs } = this.ctx;
    const withEdits = result.apps.filter((a) => a.edits.length);
    const groups: Group[] =
      inputs.pullRequest === 'single'
        ? withEdits.length
          ? [
              {
                branch: branchFor(withEdits[0]!.spec, inputs),
                apps: withEdits,
                changes: withEdits.flatMap((a) => a.changes)
              }
            ]
          : []
        : this.distinctBranches(
            withEdits.map((a) => ({ branch: branchFor(a.spec, inputs), apps: [a], changes: a.changes }))
          );
    if (groups.length) {
      const taken = await this.branches.prefixTakenBy(inputs.branchPrefix);
      if (taken) {
        const message = `the branch ${taken} exists, so no branch under branch-prefix ${inputs.branchPrefix} can be created (git keeps refs as paths); choose another branch-prefix`;
        for (const app of withEdits)
          this.ctx.result.errors.push({
            ...toRunError(new Error(message), app.spec),
            field: 'branch-prefix'
          });
        return [];
      }
    }
    // Reads and checks first, all groups at once; then writes, in branch order while the budget lasts.
    const limit = pLimit(4);
    const steps = await Promise.all(
      groups.map((g) => limit(() => this.isolated(g.apps, () => this.prepare(g))))
    );
    const { budget } = this.ctx;
    if (inputs.labels.length && steps.some((s) => s && 'writes' in s)) budget.take(inputs.labels.length);
    const published: Promise<PublishedPullRequest[] | undefined>[] = [];
    const order = groups
      .map((g, i) => ({ g, step: steps[i] }))
      .sort((a, b) => compare(a.g.branch, b.g.branch));
    for (const { g, step } of order) {
      if (!step) continue;
      if ('done' in step) published.push(Promise.resolve(step.done));
      else if (budget.take(step.writes)) published.push(limit(() => this.isolated(g.apps, step.run)));
      else this.defer(g.apps, step.writes);
    }
    const done = (await Promise.all(published)).flatMap((p) => p ?? []);
    const closed = await this.closeStale(new Set(groups.map((g) => g.branch)));
    this.ctx.log(`${budget.spent} of ${budget.limit} writes of the write budget planned`);
    return [...done, ...closed];
  }

  /** An app whose PR does not fit in this run's write budget: reported, published next run. */
  private defer(apps: AppResult[], writes: number): void {
    const { budget } = this.ctx;
    const reason =
      `deferred to the next run: its pull request takes up to ${writes} writes and ${budget.limit - budget.spent} ` +
      `of this run's write-budget (${budget.limit}) are left (GitHub allows about 500 content-creating requests an hour)`;
    for (const app of apps) this.ctx.result.skipped.push({ app: app.spec.app, file: app.spec.file, reason });
  }

  /**
   * Applications of the same name and namespace in different files (one per cluster or
   * environment, say) would share a branch and a PR: none of them is published, with an error
   * naming every file.
   */
  private distinctBranches(groups: Group[]): Group[] {
    const byBranch = new Map<string, Group[]>();
    for (const g of groups) byBranch.set(g.branch, [...(byBranch.get(g.branch) ?? []), g]);
    return groups.filter((g) => {
      const sharing = byBranch.get(g.branch)!;
      if (sharing.length === 1) return true;
      const files = sharing.map((s) => s.apps[0]!.spec.file).join(', ');
      const app = g.apps[0]!;
      this.ctx.result.errors.push({
        ...toRunError(
          new Error(
            `Applications named ${app.spec.app} in ${files} would share the branch ${g.branch} and its pull request; ` +
              'give them distinct names or namespaces, or publish them in separate runs (applications and branch-prefix inputs)'
          ),
          app.spec
        ),
        field: 'metadata.name'
      });
      return false;
    });
  }

  /** A failure publishing one group is an error of its apps; the other groups go on. */
  private async isolated<T>(apps: AppResult[], work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      for (const app of apps) {
        const error = toRunError(err, app.spec);
        this.ctx.result.errors.push({ ...error, message: `publishing the pull request: ${error.message}` });
      }
      return undefined;
    }
  }

  /** Reads what publishing `group` needs, decides what it writes, and refuses early what would fail. */
  private async prepare(group: Group): Promise<Step> {
    const { source, inputs, log } = this.ctx;
    const open = (await this.ctx.pulls.open()).get(group.branch);
    const edits = group.apps.flatMap((a) => a.edits);
    const tree = treeIdWith(
      source.entries,
      source.treeSha,
      edits.map((e) => ({ path: e.path, content: e.after }))
    );
    const label = group.apps.map((a) => a.spec.app).join(', ');
    const view = templateView(label, group.changes);
    const title = renderTitle(inputs.title, view);
    const updates = markedUpdates(group.changes);
    const entries: Entries = (op, pr, headSha) =>
      group.apps.map((a) => ({ app: a.spec.app, number: pr.number, url: pr.url, operation: op, headSha }));

    const pushed = open && (await this.pushedTree(open));
    if (
      open &&
      pushed === tree &&
      open.title === title &&
      updateSetKey(open.marker?.updates ?? []) === updateSetKey(updates)
    ) {
      log(`#${open.number} (${group.branch}) is up to date`);
      return { done: entries('unchanged', open, open.headSha) };
    }
    // An image that failed this run keeps the version its open PR proposes: no update that drops it.
    const failed = this.failedImages();
    const kept = open?.marker?.updates.find((u) => failed.has(`${u.app}\u0000${u.alias}`));
    if (open && kept) {
      this.ctx.warn(`#${open.number} left as it is: ${kept.app}/${kept.alias} could not be planned this run`);
      return { done: entries('unchanged', open, open.headSha) };
    }
    // A person's commits on the branch are never force-pushed away, unless they hand it back.
    if (open && pushed !== tree && heldByOthers(open)) {
      const writes = open.marker?.foreignHead === open.headSha ? 0 : 2;
      return { writes, run: () => this.leaveAlone(group, open, entries) };
    }
    const body = async (marker: Marker) => {
      const text = renderPullRequestBody({
        apps: group.apps.map((a) => ({ app: a.spec.app, file: a.spec.file })),
        details: await this.describe(group.changes),
        marker
      });
      if (text.length > MAX_BODY) {
        throw new Error(
          `the pull request would record ${group.changes.length} updates, more than a PR body of ${MAX_BODY} ` +
            'characters can hold; use pull-request: per-application, or split the run with the applications input'
        );
      }
      return text;
    };
    // A body GitHub would refuse fails before anything is pushed (a commit id has 40 characters).
    await body({ updates, commit: '0'.repeat(40), tree });
    if (!open) {
      const taken = await this.ctx.pulls.takenBy(group.branch);
      if (taken) throw new Error(await this.branches.takenMessage(group.branch, taken));
    }
    const blobs = edits.filter((e) => hasEscapedBytes(e.after)).length;
    const writes = open
      ? updateWrites(inputs, pushed !== tree, blobs) + Number(open.labels.includes(RECREATE_LABEL))
      : newPullRequestWrites(inputs, plainFiles(source, edits));
    const write = async (): Promise<PublishedPullRequest[]> => {
      let headSha = open?.headSha ?? '';
      if (pushed !== tree) {
        const message = renderCommitMessage(inputs.commitMessage, view);
        headSha = open
          ? await this.branches.update(group.branch, open.headSha, edits, message)
          : await this.branches.pushNew(group.branch, edits, message);
        log(`pushed ${headSha.slice(0, 12)} to ${group.branch}`);
      }
      const proposal = { branch: group.branch, title, body: await body({ updates, commit: headSha, tree }) };
      if (open) {
        const pr = await this.writer.update(open, proposal);
        if (open.labels.includes(RECREATE_LABEL)) await this.writer.removeLabel(open, RECREATE_LABEL);
        log(`updated #${pr.number}: ${pr.url}`);
        return entries('updated', pr, headSha);
      }
      const { pr, created } = await this.writer.create(proposal).catch(async (err: unknown) => {
        if (
          httpStatus(err) === 403 &&
          /not permitted to create or approve pull requests/i.test(githubMessage(err))
        ) {
          // Leave nothing behind: the branch was pushed for this PR.
          await this.branches.delete(group.branch);
          throw new Error(
            'GitHub Actions is not permitted to create pull requests in this repository: enable ' +
              'Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve ' +
              'pull requests", or give the token input a GitHub App token or a personal access token; ' +
              `the branch ${group.branch} pushed for it was deleted`
          );
        }
        throw err;
      });
      log(`${created ? 'opened' : 'updated'} #${pr.number}: ${pr.url}`);
      return entries(created ? 'created' : 'updated', pr, headSha);
    };
    return { writes, run: write };
  }

  /**
   * The branch of `open` carries someone else's commits: left as it is, reported as skipped, and
   * said once in the PR (the marker remembers the head it was said about).
   */
  private async leaveAlone(
    group: Group,
    open: PullRequest,
    entries: Entries
  ): Promise<PublishedPullRequest[]> {
    const reason =
      `#${open.number}: ${group.branch} has commits argocd-image-pr did not push (head ${open.headSha.slice(0, 12)}), ` +
      `so it is left as it is; add the label ${RECREATE_LABEL} to the PR to let the next run recreate it`;
    for (const app of group.apps)
      this.ctx.result.skipped.push({ app: app.spec.app, file: app.spec.file, reason });
    if (open.marker?.foreignHead !== open.headSha) {
      const marker: Marker = { ...(open.marker ?? { updates: [] }), foreignHead: open.headSha };
      await this.writer.note(
        open,
        withMarker(open.body, marker),
        `Someone pushed commits to ${code(group.branch)}, so argocd-image-pr no longer updates this branch: ` +
          `a newer image would replace their work. Add the label ${code(RECREATE_LABEL)} to let the next ` +
          'run recreate the branch from the base with the latest versions (their commits are then dropped).'
      );
    }
    this.ctx.log(`#${open.number} (${group.branch}) has someone else's commits: left as it is`);
    return entries('unchanged', open, open.headSha);
  }

  /** `app\u0000alias` of every image whose planning failed this run. */
  private failedImages(): Set<string> {
    return new Set(this.ctx.result.errors.filter((e) => e.alias).map((e) => `${e.app}\u0000${e.alias}`));
  }

  /** The tree of the PR head: from our marker when the head is still our commit, else from the API. */
  private readonly trees = new Map<string, Promise<string>>();
  private pushedTree(pr: PullRequest): Promise<string> {
    if (pr.marker?.tree && pr.marker.commit === pr.headSha) return Promise.resolve(pr.marker.tree);
    let tree = this.trees.get(pr.headSha);
    if (!tree) {
      tree = this.octokit.rest.git
        .getCommit({ owner: this.ctx.source.owner, repo: this.ctx.source.repo, commit_sha: pr.headSha })
        .then(({ data }) => data.tree.sha);
      this.trees.set(pr.headSha, tree);
    }
    return tree;
  }

  /** Build dates, digests and source revisions for the PR body; a registry failure only leaves gaps. */
  private describe(changes: ImageChange[]): Promise<ChangeDetail[]> {
    const { metadata, result } = this.ctx;
    return Promise.all(
      changes.map(async (change) => {
        const image = result.apps
          .find((a) => a.spec.app === change.app)!
          .spec.images.find((i) => i.alias === change.alias)!;
        const build = (version: string) =>
          metadata.build(image.image, reference(version), image.platforms).catch(() => undefined);
        const to = await build(change.to);
        const from =
          change.from && to?.labels['org.opencontainers.image.revision']
            ? await build(change.from)
            : undefined;
        const tag = change.to.split('@')[0]!;
        const source = from && (await this.ctx.history.changes(from, to, tag));
        // A body is rendered twice (checked before anything is pushed): each image is kept once.
        if (source)
          this.described.set(`${change.app}\u0000${change.alias}`, {
            app: change.app,
            alias: change.alias,
            changes: source
          });
        return {
          change,
          ref: image.image,
          ...(to && { to }),
          ...(from && { from }),
          ...(source && { source })
        };
      })
    );
  }

  /**
   * Open PRs of this tool whose app was planned this run and needs nothing now (merged another
   * way, or superseded): closed with a comment. Apps with errors, or not planned (post-build
   * mode, other matrix jobs), keep their PRs.
   */
  private async closeStale(published: Set<string>): Promise<PublishedPullRequest[]> {
    const { result, inputs, source } = this.ctx;
    const failed = new Set(result.errors.map((e) => e.app));
    const closed: PublishedPullRequest[] = [];
    const open = [...(await this.ctx.pulls.open())].sort(([a], [b]) => compare(a, b));
    for (const [branch, pr] of open) {
      if (published.has(branch)) continue;
      const apps =
        inputs.pullRequest === 'single'
          ? branch === `${inputs.branchPrefix}all`
            ? result.apps
            : []
          : result.apps.filter((a) => branchFor(a.spec, inputs) === branch);
      if (!apps.length || apps.some((a) => failed.has(a.spec.app) || a.changes.length)) continue;
      // Closing would bury the commits someone added; the PR is theirs to close.
      if (heldByOthers(pr)) continue;
      const names = [...new Set(pr.marker?.updates.map((u) => u.app) ?? apps.map((a) => a.spec.app))];
      // A close and its comment: two writes.
      if (!this.ctx.budget.take(2)) {
        this.ctx.log(`closing #${pr.number} (${branch}) waits for the next run: the write budget is spent`);
        continue;
      }
      await this.isolated(apps, async () => {
        const marker: Marker = { ...(pr.marker ?? { updates: [] }), superseded: true };
        await this.writer.close(
          pr,
          withMarker(pr.body, marker),
          `${names.map(code).join(', ')} no longer ${names.length === 1 ? 'needs' : 'need'} this update: ` +
            `${code(source.branch)} already has these versions or newer ones. Closing (argocd-image-pr).`
        );
        this.ctx.log(`closed #${pr.number} (${branch}): no longer needed`);
        closed.push(
          ...names.map((app) => ({
            app,
            number: pr.number,
            url: pr.url,
            operation: 'closed' as const,
            headSha: pr.headSha
          }))
        );
      });
    }
    return closed;
  }
}

/** A version as a registry reference: the digest of `tag@digest`, else the tag. */
function reference(version: string): string {
  const at = version.indexOf('@');
  return at < 0 ? version : version.slice(at + 1);
}

/** Branch names in a fixed order, whatever the locale: the order apps are published in. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
