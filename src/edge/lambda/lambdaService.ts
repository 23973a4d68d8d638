import { LAMBDA } from '../../model/awsLimits.js';
import { functionArn, parseFunctionReference } from '../../runtime/functionArn.js';
import type { FunctionRuntime } from '../../runtime/functionRuntime.js';
import type { InvocationType } from '../../runtime/invocationRecord.js';
import { functionNotFound } from '../../runtime/invokeErrors.js';
import { traceRootOf } from '../../runtime/traceId.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { type EdgeRequest, type EdgeResponse, type EdgeService, json } from '../edgeMessage.js';
import { restJsonError, toRestJsonError } from '../restJsonErrors.js';
import { functionConfiguration } from './functionConfiguration.js';

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const GET_FUNCTION = /^\/2015-03-31\/functions\/([^/]+)\/?$/;
const LIST_FUNCTIONS = /^\/2015-03-31\/functions\/?$/;
const INVOCATION_TYPES: ReadonlySet<string> = new Set(['RequestResponse', 'Event', 'DryRun']);

function invalidParameter(message: string): EdgeResponse {
  return restJsonError(400, 'InvalidParameterValueException', message);
}

/** Decodes `X-Amz-Client-Context`: base64 JSON of at most 3,583 bytes. */
function decodeClientContext(header: string | undefined): { value: unknown } | { error: EdgeResponse } {
  if (header === undefined || header === '') return { value: undefined };
  if (header.length > LAMBDA.maxClientContextBytes) {
    return { error: invalidParameter(`Client context must be at most ${LAMBDA.maxClientContextBytes} bytes`) };
  }
  try {
    return { value: JSON.parse(Buffer.from(header, 'base64').toString('utf8')) };
  } catch {
    return {
      error: restJsonError(
        400,
        'InvalidRequestContentException',
        'Client context must be a valid Base64-encoded JSON object.',
      ),
    };
  }
}

/**
 * Lambda's API on the local endpoint (REST-JSON): Invoke, GetFunction, ListFunctions. Any other Lambda operation
 * answers `UnsupportedOperationException` naming it, and is logged.
 */
export class LambdaService implements EdgeService {
  readonly name = 'lambda';
  private readonly runtime: () => FunctionRuntime;
  private readonly logger: Logger;

  /** `runtime` is read per request: `dev` replaces the runtime when the config is reloaded. */
  constructor(runtime: () => FunctionRuntime, logger: Logger = silentLogger) {
    this.runtime = runtime;
    this.logger = logger;
  }

  matches(request: EdgeRequest): boolean {
    return /^\/20(15-03-31|14-11-13|17-10-31|18-10-31|19-09-25|19-09-30|20-04-22|20-06-30|21-10-31)\//.test(
      request.path,
    );
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    try {
      const invoke = INVOKE.exec(request.path);
      if (invoke?.[1] !== undefined && request.method === 'POST') return await this.invoke(invoke[1], request);
      const get = GET_FUNCTION.exec(request.path);
      if (get?.[1] !== undefined && request.method === 'GET')
        return this.getFunction(get[1], request.query.get('Qualifier'));
      if (LIST_FUNCTIONS.test(request.path) && request.method === 'GET') return this.listFunctions(request.query);
    } catch (error) {
      return toRestJsonError(error);
    }
    this.logger.warn({ method: request.method, path: request.path }, 'unsupported Lambda operation');
    return restJsonError(
      501,
      'UnsupportedOperationException',
      `Tributary does not emulate the Lambda operation ${request.method} ${request.path}`,
    );
  }

  private async invoke(functionName: string, request: EdgeRequest): Promise<EdgeResponse> {
    const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (!INVOCATION_TYPES.has(invocationType)) {
      return invalidParameter(
        `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    const logType = request.headers['x-amz-log-type'] ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') return invalidParameter(`Invalid log type: ${logType}`);
    const clientContext = decodeClientContext(request.headers['x-amz-client-context']);
    if ('error' in clientContext) return clientContext.error;
    const runtime = this.runtime();
    const qualifier = request.query.get('Qualifier') ?? undefined;
    const parentRequestId = runtime.requestIdOfTrace(request.headers['x-amzn-trace-id']);
    const traceRoot = traceRootOf(request.headers['x-amzn-trace-id']);
    const result = await runtime.invoke({
      functionName,
      ...(traceRoot === undefined ? {} : { traceRoot }),
      payload: request.body.toString('utf8'),
      invocationType: invocationType as InvocationType,
      logType: invocationType === 'RequestResponse' ? logType : 'None',
      ...(qualifier === undefined ? {} : { qualifier }),
      ...(clientContext.value === undefined || invocationType !== 'RequestResponse'
        ? {}
        : { clientContext: clientContext.value }),
      ...(parentRequestId === undefined ? {} : { parentRequestId }),
    });
    const headers: Record<string, string> = { 'x-amzn-requestid': result.requestId };
    if (result.statusCode === 200) {
      headers['content-type'] = 'application/json';
      headers['x-amz-executed-version'] = result.executedVersion;
      if (result.functionError !== undefined) headers['x-amz-function-error'] = result.functionError;
      if (result.logResult !== undefined) headers['x-amz-log-result'] = result.logResult;
    }
    return { status: result.statusCode, headers, body: result.payload };
  }

  private getFunction(reference: string, qualifier: string | null): EdgeResponse {
    const runtime = this.runtime();
    const { model, dir } = runtime.app;
    const { name, qualifier: inName } = parseFunctionReference(reference);
    const config = model.functions[name];
    const wanted = qualifier ?? inName;
    if (config === undefined || (wanted !== undefined && wanted !== '$LATEST')) {
      throw functionNotFound(functionArn(model.region, name, wanted));
    }
    return json(200, {
      Configuration: functionConfiguration(name, config, { region: model.region, appDir: dir }),
      Code: { RepositoryType: 'S3', Location: `file://${dir}` },
      Tags: {},
      ...(config.reservedConcurrency === undefined
        ? {}
        : { Concurrency: { ReservedConcurrentExecutions: config.reservedConcurrency } }),
    });
  }

  private listFunctions(query: URLSearchParams): EdgeResponse {
    const { model, dir } = this.runtime().app;
    const maxItems = Number(query.get('MaxItems') ?? 50);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000)
      return invalidParameter('MaxItems must be between 1 and 10000');
    const start = Number(query.get('Marker') ?? 0);
    if (!Number.isInteger(start) || start < 0) return invalidParameter('Invalid Marker');
    const names = Object.keys(model.functions).sort();
    const page = names.slice(start, start + maxItems);
    const functions = page.flatMap((name) => {
      const config = model.functions[name];
      return config === undefined ? [] : [functionConfiguration(name, config, { region: model.region, appDir: dir })];
    });
    const next = start + maxItems < names.length ? { NextMarker: String(start + maxItems) } : {};
    return json(200, { Functions: functions, ...next });
  }
}
