import { API_GATEWAY } from '../../model/awsLimits.js';
import type { Authorizer, LambdaAuthorizer, RouteAuth } from '../../model/httpAuthSchema.js';
import { LOCAL_ACCOUNT_ID } from '../../runtime/functionArn.js';
import type { InvokeResult } from '../../runtime/functionRuntime.js';
import type { Clock } from '../../shared/clock.js';
import { eventV1 } from '../eventV1.js';
import { eventV2 } from '../eventV2.js';
import type { GatewayRequest } from '../gatewayRequest.js';
import type { RouteMatch } from '../routeTable.js';
import { AuthorizerCache } from './authorizerCache.js';
import { identityValue } from './identitySource.js';
import { claimStrings, JwtVerifier } from './jwtVerifier.js';
import { type AuthorizerAnswer, decide, readAuthorizerAnswer } from './lambdaAuthorizerAnswer.js';

/** What an authorizer hands on to the integration's event (`requestContext.authorizer`). */
export type AuthorizerOutput =
  | { readonly kind: 'jwt'; readonly claims: Record<string, string>; readonly scopes: readonly string[] | null }
  | { readonly kind: 'lambda'; readonly principalId: string | undefined; readonly context: Record<string, unknown> };

/** Why a request was refused; the gateway turns it into the API type's gateway response. */
export type AuthFailure =
  | { readonly kind: 'unauthorized'; readonly wwwAuthenticate?: string }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'explicit-deny' }
  | { readonly kind: 'authorizer-error'; readonly detail: string };

export type AuthOutcome =
  | { readonly ok: true; readonly output: AuthorizerOutput | undefined }
  | { readonly ok: false; readonly failure: AuthFailure };

export interface ApiIdentity {
  readonly type: 'http' | 'rest';
  readonly apiId: string;
  readonly stage: string;
  readonly region: string;
  /** The payload format the API sends its integrations. */
  readonly payloadFormatVersion: '1.0' | '2.0';
}

/** Invokes a function synchronously, resolving 'timeout' when it has not answered in time. */
export type TimedInvoke = (
  functionName: string,
  payload: string,
  timeoutMs: number,
) => Promise<InvokeResult | 'timeout'>;

/**
 * Runs a route's authoriser before the integration: JWT authorizers (HTTP APIs) and Lambda REQUEST authorizers
 * (payload 1.0 or 2.0, simple responses or IAM policies, results cached per identity sources). A refused request
 * never reaches the integration.
 */
export class RouteAuthorizer {
  private readonly authorizers: Readonly<Record<string, Authorizer>>;
  private readonly jwt = new Map<string, JwtVerifier>();
  private readonly cache: AuthorizerCache<AuthorizerAnswer>;
  private readonly clock: Clock;
  private readonly appDir: string;
  private readonly invoke: TimedInvoke;
  private readonly api: ApiIdentity;

  constructor(options: {
    authorizers: Readonly<Record<string, Authorizer>>;
    api: ApiIdentity;
    appDir: string;
    clock: Clock;
    invoke: TimedInvoke;
  }) {
    this.authorizers = options.authorizers;
    this.api = options.api;
    this.appDir = options.appDir;
    this.clock = options.clock;
    this.invoke = options.invoke;
    this.cache = new AuthorizerCache(options.clock);
  }

  async authorize(request: GatewayRequest, match: RouteMatch, auth: RouteAuth | undefined): Promise<AuthOutcome> {
    if (auth === undefined || auth === 'none') return { ok: true, output: undefined };
    const authorizer = this.authorizers[auth.authorizer];
    if (authorizer === undefined) return { ok: false, failure: { kind: 'authorizer-error', detail: 'no authorizer' } };
    if (authorizer.type === 'lambda') return this.lambda(auth.authorizer, authorizer, request, match);

    const identity = { routeKey: match.routeKey, stage: this.api.stage };
    const raw = identityValue(authorizer.identitySource, request, identity);
    if (raw === undefined) return { ok: false, failure: { kind: 'unauthorized' } };
    const token = raw.replace(/^Bearer\s+/i, '');
    const verdict = await this.verifier(auth.authorizer, authorizer).verify(token, this.clock.now());
    if (!verdict.ok)
      return {
        ok: false,
        failure: {
          kind: 'unauthorized',
          wwwAuthenticate: `Bearer scope="" error="invalid_token" error_description="${verdict.description}"`,
        },
      };
    if (auth.scopes !== undefined && auth.scopes.length > 0 && !auth.scopes.some((s) => verdict.scopes.includes(s)))
      return { ok: false, failure: { kind: 'forbidden' } };
    return {
      ok: true,
      output: {
        kind: 'jwt',
        claims: claimStrings(verdict.claims),
        scopes: verdict.scopes.length ? verdict.scopes : null,
      },
    };
  }

  private verifier(name: string, authorizer: Extract<Authorizer, { type: 'jwt' }>): JwtVerifier {
    let verifier = this.jwt.get(name);
    if (verifier === undefined) {
      verifier = new JwtVerifier(authorizer, this.appDir);
      this.jwt.set(name, verifier);
    }
    return verifier;
  }

  private async lambda(
    name: string,
    authorizer: LambdaAuthorizer,
    request: GatewayRequest,
    match: RouteMatch,
  ): Promise<AuthOutcome> {
    const identity = { routeKey: match.routeKey, stage: this.api.stage };
    const values = authorizer.identitySource.map((source) => identityValue(source, request, identity));
    // With caching on, every identity source must be present; API Gateway answers 401 without calling the function.
    if (authorizer.resultTtlSeconds > 0 && values.some((v) => v === undefined))
      return { ok: false, failure: { kind: 'unauthorized' } };
    const present = values.filter((v): v is string => v !== undefined);
    const methodArn = `arn:aws:execute-api:${this.api.region}:${LOCAL_ACCOUNT_ID}:${this.api.apiId}/${this.api.stage}/${request.method}${request.rawPath}`;
    const cacheKey = `${name}\u0000${present.join('\u0000')}`;

    let answer = this.cache.get(cacheKey);
    if (answer === undefined) {
      const event = this.authorizerEvent(authorizer, request, match, methodArn, present);
      const result = await this.invoke(authorizer.function, JSON.stringify(event), API_GATEWAY.authorizerTimeoutMs);
      if (result === 'timeout') return { ok: false, failure: { kind: 'authorizer-error', detail: 'timed out' } };
      if (result.functionError !== undefined) {
        // Throwing `Unauthorized` is how an authorizer asks for a 401.
        const message = errorMessageOf(result.payload);
        return message === 'Unauthorized'
          ? { ok: false, failure: { kind: 'unauthorized' } }
          : { ok: false, failure: { kind: 'authorizer-error', detail: String(message) } };
      }
      answer = readAuthorizerAnswer(result.payload, {
        simpleResponses: authorizer.enableSimpleResponses,
        payloadFormatVersion: authorizer.payloadFormatVersion,
      });
      if (answer === undefined)
        return { ok: false, failure: { kind: 'authorizer-error', detail: 'the authorizer returned no usable answer' } };
      this.cache.set(cacheKey, answer, authorizer.resultTtlSeconds);
    }
    const decision = decide(answer, methodArn);
    if (decision === 'deny') return { ok: false, failure: { kind: 'explicit-deny' } };
    if (decision === 'implicit-deny') return { ok: false, failure: { kind: 'forbidden' } };
    return {
      ok: true,
      output: {
        kind: 'lambda',
        principalId: answer.kind === 'policy' ? answer.principalId : undefined,
        context: answer.context,
      },
    };
  }

  /** The REQUEST authorizer's event: the request as the integration would see it, without the body. */
  private authorizerEvent(
    authorizer: LambdaAuthorizer,
    request: GatewayRequest,
    match: RouteMatch,
    methodArn: string,
    identity: readonly string[],
  ): Record<string, unknown> {
    const api = { apiId: this.api.apiId, stage: this.api.stage, type: this.api.type };
    if (authorizer.payloadFormatVersion === '2.0') {
      const { body: _body, isBase64Encoded: _base64, ...rest } = eventV2(request, match, api);
      return { ...rest, version: '2.0', type: 'REQUEST', routeArn: methodArn, identitySource: identity };
    }
    const { body: _body, isBase64Encoded: _base64, version: _version, ...rest } = eventV1(request, match, api);
    // The REQUEST authorizer event has empty maps where the proxy event has null.
    for (const key of ['queryStringParameters', 'multiValueQueryStringParameters', 'pathParameters', 'stageVariables'])
      rest[key] ??= {};
    return {
      ...(this.api.type === 'http'
        ? { version: '1.0', identitySource: identity.join(','), authorizationToken: identity.join(',') }
        : {}),
      type: 'REQUEST',
      methodArn,
      ...rest,
    };
  }
}

/** The `errorMessage` of a function's error document. */
function errorMessageOf(payload: string): string | undefined {
  try {
    const message = (JSON.parse(payload) as { errorMessage?: unknown }).errorMessage;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
