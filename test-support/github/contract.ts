// GitHub's own API description as the fake's contract: every REST request must be an operation of
// @octokit/openapi's api.github.com description (method and path), with only the query parameters
// it declares and, for a JSON body, only the properties it declares and all that it requires;
// every GraphQL document must validate against @octokit/graphql-schema. The fake refuses anything
// else (400), so the whole suite is a contract test of what the action sends.

import { createRequire } from 'node:module';

interface Operation {
  method: string;
  path: RegExp;
  template: string;
  query: Set<string>;
  /** Undefined: the body is not described as an object with properties (anything goes). */
  body?: { properties: Set<string>; required: string[] };
}

type Json = Record<string, unknown>;

// Not named `require`: bundled as CommonJS (bench/), that name is taken.
const requireJson = createRequire(import.meta.url);
let operations: Operation[] | undefined;

function load(): Operation[] {
  if (operations) return operations;
  const spec = requireJson('@octokit/openapi/generated/api.github.com.json') as Json;
  const components = spec.components as Json;
  const resolve = (node: unknown): Json => {
    let at = node as Json;
    for (let i = 0; i < 10 && typeof at?.$ref === 'string'; i++) {
      const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(at.$ref as string) ?? [];
      at = (components[kind!] as Json)[name!] as Json;
    }
    return at;
  };
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths as Json)) {
    const pathItem = item as Json;
    for (const [method, raw] of Object.entries(pathItem)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = raw as Json;
      const params = [
        ...((pathItem.parameters as unknown[]) ?? []),
        ...((op.parameters as unknown[]) ?? [])
      ].map(resolve);
      const multi = new Set(
        params.filter((p) => p.in === 'path' && p['x-multi-segment']).map((p) => p.name as string)
      );
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          return multi.has(name) ? '.+' : '[^/]+';
        })
        .join('');
      const query = new Set(params.filter((p) => p.in === 'query').map((p) => p.name as string));
      const content = (resolve(op.requestBody)?.content as Json | undefined)?.['application/json'] as
        Json | undefined;
      const bodySchema = content ? resolve(content.schema) : undefined;
      const variants = bodySchema
        ? [bodySchema, ...(((bodySchema.oneOf ?? bodySchema.anyOf) as unknown[]) ?? []).map(resolve)]
        : [];
      const properties = new Set(variants.flatMap((v) => Object.keys((v.properties as Json) ?? {})));
      const body =
        properties.size && bodySchema?.additionalProperties !== true
          ? {
              properties,
              required: ((bodySchema?.required as string[]) ?? []).filter((r) => properties.has(r))
            }
          : undefined;
      out.push({
        method: method.toUpperCase(),
        path: new RegExp(`^${source}$`),
        template,
        query,
        ...(body && { body })
      });
    }
  }
  return (operations = out);
}

/** Why GitHub's description does not allow this REST request, or undefined when it does. */
export function restViolation(method: string, url: URL, body: Json | undefined): string | undefined {
  const path = url.pathname;
  const candidates = load().filter((op) => op.path.test(path));
  if (!candidates.length) return `${method} ${path}: no such path in GitHub's REST description`;
  // A literal path (`/git/ref/...`) beats a templated one of the same shape.
  const op = candidates.find((c) => c.method === method);
  if (!op)
    return `${method} ${path}: GitHub's REST description has no ${method} on ${candidates[0]!.template}`;
  for (const name of url.searchParams.keys()) {
    if (!op.query.has(name))
      return `${method} ${op.template}: query parameter "${name}" is not in GitHub's REST description`;
  }
  if (op.body && body) {
    for (const key of Object.keys(body)) {
      if (!op.body.properties.has(key))
        return `${method} ${op.template}: body property "${key}" is not in GitHub's REST description`;
    }
    const missing = op.body.required.filter((r) => !(r in body));
    if (missing.length)
      return `${method} ${op.template}: required body properties missing: ${missing.join(', ')}`;
  }
  return undefined;
}

let graphqlSchema: import('graphql').GraphQLSchema | undefined;

/**
 * Why GitHub's GraphQL schema refuses this document or its variables (their values too: an input
 * object with a field the schema lacks is refused), or undefined when both validate.
 */
export async function graphqlViolation(query: unknown, variables?: unknown): Promise<string | undefined> {
  if (typeof query !== 'string') return 'a GraphQL request without a query string';
  // Loaded on the first GraphQL request only: the schema is large.
  const [{ validate, schema }, graphql] = await Promise.all([
    import('@octokit/graphql-schema'),
    import('graphql')
  ]);
  let errors: readonly { message: string }[];
  try {
    errors = validate(query);
  } catch (err) {
    return `GraphQL does not parse: ${(err as Error).message}`;
  }
  if (errors.length) return `GraphQL refused by GitHub's schema: ${errors.map((e) => e.message).join('; ')}`;
  graphqlSchema ??= graphql.buildClientSchema(schema.json as never);
  for (const definition of graphql.parse(query).definitions) {
    if (definition.kind !== graphql.Kind.OPERATION_DEFINITION) continue;
    const values = graphql.getVariableValues(
      graphqlSchema,
      definition.variableDefinitions ?? [],
      (variables ?? {}) as Record<string, unknown>
    );
    if (values.errors?.length)
      return `GraphQL variables refused by GitHub's schema: ${values.errors.map((e) => e.message).join('; ')}`;
  }
  return undefined;
}
