import { isJsonObject } from '../../shared/jsonObject.js';
import { evaluatePolicy, type PolicyDecision, policyStatements } from './iamPolicy.js';

/** What a Lambda authorizer answered, before it is applied to a route. */
export type AuthorizerAnswer =
  | { readonly kind: 'simple'; readonly authorized: boolean; readonly context: Record<string, unknown> }
  | {
      readonly kind: 'policy';
      readonly principalId: string;
      readonly statements: NonNullable<ReturnType<typeof policyStatements>>;
      readonly context: Record<string, unknown>;
    };

/**
 * Reads an authorizer's result: a simple response `{ isAuthorized, context }` (when enabled) or an IAM policy
 * `{ principalId, policyDocument, context }`. Undefined for anything else — API Gateway's
 * AUTHORIZER_CONFIGURATION_ERROR. Payload 1.0 context values must be strings, numbers or booleans.
 */
export function readAuthorizerAnswer(
  payload: string,
  options: { simpleResponses: boolean; payloadFormatVersion: '1.0' | '2.0' },
): AuthorizerAnswer | undefined {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isJsonObject(result)) return undefined;
  const context = result.context ?? {};
  if (!isJsonObject(context)) return undefined;
  if (
    options.payloadFormatVersion === '1.0' &&
    Object.values(context).some((v) => !['string', 'number', 'boolean'].includes(typeof v))
  )
    return undefined;
  if (options.simpleResponses && typeof result.isAuthorized === 'boolean')
    return { kind: 'simple', authorized: result.isAuthorized, context };
  const statements = policyStatements(result.policyDocument);
  if (statements === undefined) return undefined;
  const principalId = typeof result.principalId === 'string' ? result.principalId : '';
  return { kind: 'policy', principalId, statements, context };
}

/** Applies an answer (possibly cached from another route) to this request's method or route ARN. */
export function decide(answer: AuthorizerAnswer, methodArn: string): PolicyDecision {
  if (answer.kind === 'simple') return answer.authorized ? 'allow' : 'implicit-deny';
  return evaluatePolicy(answer.statements, methodArn);
}
