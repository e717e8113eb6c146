// Pulls, issues (labels, assignees, comments) and repository labels endpoints.
import {
  HttpError,
  optionalString,
  paginate,
  requireString,
  stringList,
  validationFailed,
  type Body,
  type Reply,
  type Route
} from './http.js';
import type { PullRecord, PullStore } from './pulls.js';
import { branches, renderComment, renderIssue, renderLabel, renderPull, renderPullDetail } from './render.js';
import type { Shared } from './state.js';

const SORTS: Record<string, (p: PullRecord) => string | number> = {
  created: (p) => p.createdAt,
  updated: (p) => p.updatedAt,
  popularity: (p) => p.comments.length,
  // GitHub: open the longest with the least activity; age of the last update is the closest we have.
  'long-running': (p) => p.updatedAt
};

/** Creation order breaks ties, so that equal keys still list in a stable order. */
function sortPulls(pulls: PullRecord[], sort: string, direction: string): PullRecord[] {
  const key = SORTS[sort] ?? SORTS.created!;
  const sign = direction === 'asc' ? 1 : -1;
  return [...pulls].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return sign * (ka < kb ? -1 : ka > kb ? 1 : a.number - b.number);
  });
}

/** GitHub refuses a PR body over 65,536 characters (422, "body is too long"). */
function boundedBody(body: Record<string, unknown>): string | undefined {
  const text = optionalString(body, 'body');
  if (text !== undefined && text.length > 65_536) {
    throw validationFailed({
      resource: 'Issue',
      field: 'body',
      code: 'custom',
      message: 'body is too long (maximum is 65536 characters)'
    });
  }
  return text;
}

export function pullRoutes(shared: Shared, store: PullStore): Route[] {
  const { config } = shared;
  const pullOf = (params: string[]): PullRecord => store.get(Number(params[0]));

  const pullReply = async (status: number, pull: PullRecord, computeMergeable = false): Promise<Reply> => ({
    status,
    body: await renderPullDetail(shared, store, pull, await branches(shared), computeMergeable)
  });

  const issueReply = (status: number, pull: PullRecord): Reply => ({
    status,
    body: renderIssue(shared, store, pull)
  });

  const labelList = (body: Body): string[] => {
    // Names or `{name}` objects, both of which GitHub takes.
    const raw = body.labels;
    if (Array.isArray(raw)) {
      return raw.map((l: unknown) => (typeof l === 'object' && l ? String((l as Body).name) : String(l)));
    }
    throw new HttpError(422, `Invalid request.\n\n"labels" wasn't supplied.`);
  };

  return [
    {
      method: 'GET',
      path: /^\/pulls$/,
      handle: async ({ url }) => {
        const q = url.searchParams;
        const state = q.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(state)) {
          throw validationFailed({ resource: 'Issue', field: 'state', code: 'invalid' });
        }
        // `head` is `owner:branch`; GitHub ignores a value without the owner.
        const head = q.get('head');
        const [headOwner, headBranch] = head?.includes(':')
          ? [head.slice(0, head.indexOf(':')), head.slice(head.indexOf(':') + 1)]
          : [];
        const base = q.get('base');
        const sort = q.get('sort') ?? 'created';
        const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
        const matching = store.pulls.filter(
          (p) =>
            (state === 'all' || p.state === state) &&
            (headOwner === undefined ||
              (headOwner.toLowerCase() === config.owner.toLowerCase() && p.head === headBranch)) &&
            (base === null || p.base === base)
        );
        const page = paginate(sortPulls(matching, sort, direction), url);
        const refs = await branches(shared);
        return {
          status: 200,
          body: page.items.map((p) => renderPull(shared, store, p, refs)),
          headers: page.headers
        };
      }
    },
    {
      method: 'POST',
      path: /^\/pulls$/,
      handle: async ({ body }) => {
        if (!config.actionsCreatePullRequests && config.identity.login === 'github-actions[bot]') {
          throw new HttpError(403, 'GitHub Actions is not permitted to create or approve pull requests.');
        }
        const pull = await store.create({
          title: requireString(body, 'title'),
          head: requireString(body, 'head'),
          base: requireString(body, 'base'),
          body: boundedBody(body),
          draft: body.draft === true,
          maintainerCanModify: body.maintainer_can_modify !== false
        });
        return pullReply(201, pull);
      }
    },
    {
      method: 'GET',
      path: /^\/pulls\/(\d+)$/,
      handle: async ({ params }) => pullReply(200, pullOf(params), true)
    },
    {
      method: 'PATCH',
      path: /^\/pulls\/(\d+)$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        await store.update(pull, {
          title: optionalString(body, 'title'),
          body: boundedBody(body),
          state: optionalString(body, 'state'),
          base: optionalString(body, 'base')
        });
        return pullReply(200, pull);
      }
    },
    {
      // The merge button. A rebase of our one-commit branches is one commit on the base, as a squash is.
      method: 'PUT',
      path: /^\/pulls\/(\d+)\/merge$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        const method = (optionalString(body, 'merge_method') ?? 'merge') as 'merge' | 'squash' | 'rebase';
        if (!config.mergeMethods.includes(method)) {
          const kind = { merge: 'Merge commits', squash: 'Squash merges', rebase: 'Rebase merges' }[method];
          throw new HttpError(405, `${kind} are not allowed on this repository.`);
        }
        if (pull.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
        const sha = await store.merge(pull, method === 'merge' ? 'merge' : 'squash', config.identity);
        return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
      }
    },
    {
      method: 'POST',
      path: /^\/pulls\/(\d+)\/requested_reviewers$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        store.requestReviewers(
          pull,
          stringList(body, 'reviewers') ?? [],
          stringList(body, 'team_reviewers') ?? []
        );
        return { status: 201, body: renderPull(shared, store, pull, await branches(shared)) };
      }
    },
    {
      // The fake records no reviews: nobody has reviewed yet.
      method: 'GET',
      path: /^\/pulls\/(\d+)\/reviews$/,
      handle: async ({ params, url }) => {
        pullOf(params);
        const page = paginate([], url);
        return { status: 200, body: page.items, headers: page.headers };
      }
    },
    {
      method: 'GET',
      path: /^\/issues\/(\d+)$/,
      handle: async ({ params }) => issueReply(200, pullOf(params))
    },
    {
      method: 'PATCH',
      path: /^\/issues\/(\d+)$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        const labels = body.labels === undefined ? undefined : labelList(body);
        const assignees = stringList(body, 'assignees');
        await store.update(pull, {
          title: optionalString(body, 'title'),
          body: optionalString(body, 'body'),
          state: optionalString(body, 'state')
        });
        if (labels) store.setLabels(pull, labels);
        if (assignees) {
          pull.assignees = [];
          store.addAssignees(pull, assignees);
        }
        return issueReply(200, pull);
      }
    },
    {
      method: 'GET',
      path: /^\/issues\/(\d+)\/labels$/,
      handle: async ({ params, url }) => {
        const pull = pullOf(params);
        const page = paginate(
          pull.labels.map((n) => store.findLabel(n)!),
          url
        );
        return { status: 200, body: page.items.map((l) => renderLabel(shared, l)), headers: page.headers };
      }
    },
    {
      method: 'POST',
      path: /^\/issues\/(\d+)\/labels$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        store.addLabels(pull, labelList(body));
        return { status: 200, body: pull.labels.map((n) => renderLabel(shared, store.findLabel(n)!)) };
      }
    },
    {
      // "Remove a label from an issue": 404 when the issue does not carry it.
      method: 'DELETE',
      path: /^\/issues\/(\d+)\/labels\/([^/]+)$/,
      handle: async ({ params }) => {
        const pull = pullOf(params);
        const name = params[1]!;
        const kept = pull.labels.filter((n) => n.toLowerCase() !== name.toLowerCase());
        if (kept.length === pull.labels.length) throw new HttpError(404, 'Label does not exist');
        store.setLabels(pull, kept);
        return { status: 200, body: pull.labels.map((n) => renderLabel(shared, store.findLabel(n)!)) };
      }
    },
    {
      method: 'POST',
      path: /^\/issues\/(\d+)\/assignees$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        store.addAssignees(pull, stringList(body, 'assignees') ?? []);
        return issueReply(201, pull);
      }
    },
    {
      method: 'GET',
      path: /^\/issues\/(\d+)\/comments$/,
      handle: async ({ params, url }) => {
        const pull = pullOf(params);
        const page = paginate(pull.comments, url);
        return {
          status: 200,
          body: page.items.map((c) => renderComment(shared, pull, c)),
          headers: page.headers
        };
      }
    },
    {
      method: 'POST',
      path: /^\/issues\/(\d+)\/comments$/,
      handle: async ({ params, body }) => {
        const pull = pullOf(params);
        const comment = store.addComment(pull, requireString(body, 'body'), config.identity.login);
        return { status: 201, body: renderComment(shared, pull, comment) };
      }
    },
    {
      method: 'GET',
      path: /^\/labels$/,
      handle: async ({ url }) => {
        const page = paginate(store.labels, url);
        return { status: 200, body: page.items.map((l) => renderLabel(shared, l)), headers: page.headers };
      }
    },
    {
      method: 'POST',
      path: /^\/labels$/,
      handle: async ({ body }) => {
        const color = optionalString(body, 'color') ?? 'ededed';
        if (!/^#?[0-9a-fA-F]{6}$/.test(color)) {
          throw validationFailed({ resource: 'Label', code: 'invalid', field: 'color' });
        }
        const label = store.createLabel(
          requireString(body, 'name'),
          color,
          optionalString(body, 'description') ?? null
        );
        return { status: 201, body: renderLabel(shared, label) };
      }
    }
  ];
}
