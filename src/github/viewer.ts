// The account the token acts as. `GET /user` refuses installation tokens (GITHUB_TOKEN, GitHub
// Apps: "Resource not accessible by integration"); GraphQL's `viewer` answers every kind of token
// with the login GitHub shows as the author of the PRs it opens (`github-actions[bot]`, `<app>[bot]`).

import type { GitHub } from './client.js';

export async function viewerLogin(octokit: GitHub): Promise<string> {
  const data = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
  return data.viewer.login;
}
