/** One statement of an authorizer's IAM policy, as far as `execute-api:Invoke` is concerned. */
interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

export type PolicyDecision = 'allow' | 'deny' | 'implicit-deny';

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** `*` matches any run of characters, `?` any one, as IAM resource and action patterns do. */
function wildcardMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')}$`,
  );
  return regex.test(value);
}

/** The statements of a policy document; undefined when it is not one. */
export function policyStatements(document: unknown): Statement[] | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  const raw = (document as { Statement?: unknown }).Statement;
  if (raw === undefined) return undefined;
  const statements: Statement[] = [];
  for (const item of asList(raw)) {
    if (item === null || typeof item !== 'object') return undefined;
    const { Effect, Action, Resource } = item as { Effect?: unknown; Action?: unknown; Resource?: unknown };
    if (Effect !== 'Allow' && Effect !== 'Deny') return undefined;
    const actions = asList(Action).filter((a): a is string => typeof a === 'string');
    const resources = asList(Resource).filter((r): r is string => typeof r === 'string');
    statements.push({ effect: Effect, actions, resources });
  }
  return statements;
}

/**
 * IAM's evaluation for one request: an explicit Deny on the method ARN wins, then any Allow; otherwise the
 * request is implicitly denied.
 */
export function evaluatePolicy(statements: readonly Statement[], methodArn: string): PolicyDecision {
  const applies = (s: Statement): boolean =>
    s.actions.some((a) => wildcardMatches(a, 'execute-api:Invoke')) &&
    s.resources.some((r) => wildcardMatches(r, methodArn));
  if (statements.some((s) => s.effect === 'Deny' && applies(s))) return 'deny';
  if (statements.some((s) => s.effect === 'Allow' && applies(s))) return 'allow';
  return 'implicit-deny';
}
