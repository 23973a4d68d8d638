import { resolvePrincipal } from '../../access/principals.js';
import type { Access } from '../../model/accessSchema.js';
import { ATHENA } from '../../model/awsLimits.js';
import type { QueryExecution, QueryService } from '../../query/queryService.js';
import { isJsonObject } from '../../shared/jsonObject.js';
import { isTributaryError } from '../../shared/tributaryError.js';
import { awsJsonError, awsJsonOk, awsJsonRequest } from '../awsJson.js';
import type { EdgeRequest, EdgeResponse, EdgeService } from '../edgeMessage.js';
import { sigV4Scope } from '../sigV4Scope.js';
import { athenaColumnType } from './athenaTypes.js';

const TARGET_PREFIX = 'AmazonAthena.';

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Page tokens are opaque to clients: the row offset, base64-encoded. */
const encodeToken = (offset: number): string => Buffer.from(`rows:${offset}`).toString('base64');
const decodeToken = (token: unknown): number => {
  if (typeof token !== 'string') return 0;
  const match = /^rows:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match === null ? -1 : Number(match[1]);
};

export interface AthenaServiceOptions {
  readonly queries: () => QueryService | undefined;
  readonly access: () => Access | undefined;
}

/**
 * Amazon Athena's API over the lake, so `@aws-sdk/client-athena` works unchanged: StartQueryExecution,
 * GetQueryExecution, GetQueryResults (pages of at most 1,000 rows, the header row first), StopQueryExecution,
 * ListQueryExecutions, ListWorkGroups, GetWorkGroup. The caller is recognised by the access key id it signs with;
 * with `access` declared, an unknown key or a table outside its grants is an AccessDeniedException.
 */
export class AthenaService implements EdgeService {
  readonly name = 'athena';
  private readonly options: AthenaServiceOptions;

  constructor(options: AthenaServiceOptions) {
    this.options = options;
  }

  matches(request: EdgeRequest): boolean {
    return request.headers['x-amz-target']?.startsWith(TARGET_PREFIX) === true;
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const parsed = awsJsonRequest(request, TARGET_PREFIX, 'InvalidRequestException');
    if (!('operation' in parsed)) return parsed;
    const { operation, input } = parsed;
    const queries = this.options.queries();
    if (queries === undefined)
      return awsJsonError(400, 'InvalidRequestException', 'The app has no lake.tables to query');
    try {
      switch (operation) {
        case 'StartQueryExecution':
          return await this.start(queries, input, request);
        case 'GetQueryExecution':
          return awsJsonOk({ QueryExecution: describe(queries.get(String(input.QueryExecutionId))) });
        case 'BatchGetQueryExecution': {
          const ids = Array.isArray(input.QueryExecutionIds) ? input.QueryExecutionIds.map(String) : [];
          return awsJsonOk({
            QueryExecutions: ids.map((id) => describe(queries.get(id))),
            UnprocessedQueryExecutionIds: [],
          });
        }
        case 'GetQueryResults':
          return this.results(queries, input);
        case 'StopQueryExecution':
          queries.stop(String(input.QueryExecutionId));
          return awsJsonOk({});
        case 'ListQueryExecutions':
          return this.list(queries, input);
        case 'ListWorkGroups':
          return awsJsonOk({
            WorkGroups: Object.keys(queries.workgroups()).map((Name) => ({
              Name,
              State: 'ENABLED',
              Description: '',
              CreationTime: seconds(queries.createdAt),
              EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
            })),
          });
        case 'GetWorkGroup': {
          const name = String(input.WorkGroup);
          const workgroup = queries.workgroup(name);
          return awsJsonOk({
            WorkGroup: {
              Name: name,
              State: 'ENABLED',
              Description: '',
              CreationTime: seconds(queries.createdAt),
              Configuration: {
                ResultConfiguration: { OutputLocation: workgroup.outputLocation },
                EnforceWorkGroupConfiguration: false,
                PublishCloudWatchMetricsEnabled: false,
                ...(workgroup.bytesScannedCutoffPerQuery === undefined
                  ? {}
                  : { BytesScannedCutoffPerQuery: workgroup.bytesScannedCutoffPerQuery }),
                EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
              },
            },
          });
        }
        default:
          return awsJsonError(400, 'InvalidRequestException', `Tributary does not emulate Athena ${operation}`);
      }
    } catch (error) {
      if (isTributaryError(error) && error.aws !== undefined)
        return awsJsonError(error.aws.status, error.aws.type, error.message);
      throw error;
    }
  }

  private async start(
    queries: QueryService,
    input: Record<string, unknown>,
    request: EdgeRequest,
  ): Promise<EdgeResponse> {
    if (typeof input.QueryString !== 'string' || input.QueryString.length === 0)
      return awsJsonError(400, 'InvalidRequestException', 'QueryString is required');
    const accessKeyId = sigV4Scope(request.headers.authorization, request.query)?.accessKeyId;
    const principal = resolvePrincipal(this.options.access(), accessKeyId === undefined ? {} : { accessKeyId });
    if (principal === undefined)
      return awsJsonError(400, 'AccessDeniedException', "The access key is not one of the app's principals");
    const context = isJsonObject(input.QueryExecutionContext) ? input.QueryExecutionContext : {};
    const result = isJsonObject(input.ResultConfiguration) ? input.ResultConfiguration : {};
    const id = await queries.start({
      query: input.QueryString,
      principal: { name: principal.name, tables: principal.tables },
      ...(typeof context.Database === 'string' ? { database: context.Database } : {}),
      ...(typeof input.WorkGroup === 'string' ? { workgroup: input.WorkGroup } : {}),
      ...(typeof result.OutputLocation === 'string' ? { outputLocation: result.OutputLocation } : {}),
      ...(typeof input.ClientRequestToken === 'string' ? { clientRequestToken: input.ClientRequestToken } : {}),
    });
    return awsJsonOk({ QueryExecutionId: id });
  }

  private results(queries: QueryService, input: Record<string, unknown>): EdgeResponse {
    const execution = queries.get(String(input.QueryExecutionId));
    if (execution.state !== 'SUCCEEDED' || execution.result === undefined)
      return awsJsonError(
        400,
        'InvalidRequestException',
        execution.state === 'FAILED' || execution.state === 'CANCELLED'
          ? `Query did not finish successfully. Final query state: ${execution.state}`
          : `Query has not yet finished. Current state: ${execution.state}`,
      );
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : ATHENA.maxResultsPerPage;
    if (!Number.isInteger(max) || max < 1 || max > ATHENA.maxResultsPerPage)
      return awsJsonError(
        400,
        'InvalidRequestException',
        `MaxResults must be between 1 and ${ATHENA.maxResultsPerPage}`,
      );
    const offset = decodeToken(input.NextToken);
    if (offset < 0) return awsJsonError(400, 'InvalidRequestException', 'NextToken is not valid');
    const { columns, rows } = execution.result;
    // The header row counts as the first row of the first page, as in Athena.
    const withHeader = offset === 0;
    const take = withHeader ? max - 1 : max;
    const page = rows.slice(offset, offset + take);
    const next = offset + page.length;
    const cell = (value: string | null) => (value === null ? {} : { VarCharValue: value });
    return awsJsonOk({
      UpdateCount: 0,
      ResultSet: {
        Rows: [
          ...(withHeader ? [{ Data: columns.map((c) => ({ VarCharValue: c.name })) }] : []),
          ...page.map((row) => ({ Data: row.map(cell) })),
        ],
        ResultSetMetadata: {
          ColumnInfo: columns.map((c) => {
            const type = athenaColumnType(c.type);
            return {
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: c.name,
              Label: c.name,
              Type: type.type,
              Precision: type.precision,
              Scale: type.scale,
              Nullable: 'UNKNOWN',
              CaseSensitive: type.type === 'varchar',
            };
          }),
        },
      },
      ...(next < rows.length ? { NextToken: encodeToken(next) } : {}),
    });
  }

  private list(queries: QueryService, input: Record<string, unknown>): EdgeResponse {
    const ids = queries.list(typeof input.WorkGroup === 'string' ? input.WorkGroup : undefined);
    const max = typeof input.MaxResults === 'number' ? Math.min(50, Math.max(1, input.MaxResults)) : 50;
    const offset = Math.max(0, decodeToken(input.NextToken));
    const page = ids.slice(offset, offset + max);
    return awsJsonOk({
      QueryExecutionIds: page,
      ...(offset + page.length < ids.length ? { NextToken: encodeToken(offset + page.length) } : {}),
    });
  }
}

/** GetQueryExecution's QueryExecution. */
function describe(execution: QueryExecution): Record<string, unknown> {
  const result = execution.result;
  const queued = (execution.startedAt ?? execution.completedAt ?? execution.submittedAt) - execution.submittedAt;
  const total = (execution.completedAt ?? execution.submittedAt) - execution.submittedAt;
  return {
    QueryExecutionId: execution.id,
    Query: execution.query,
    StatementType: /^\s*explain/i.test(execution.query) ? 'UTILITY' : 'DML',
    ResultConfiguration: { OutputLocation: execution.outputLocation },
    QueryExecutionContext: { Database: execution.database, Catalog: 'AwsDataCatalog' },
    Status: {
      State: execution.state,
      ...(execution.stateChangeReason === undefined ? {} : { StateChangeReason: execution.stateChangeReason }),
      SubmissionDateTime: seconds(execution.submittedAt),
      ...(execution.completedAt === undefined ? {} : { CompletionDateTime: seconds(execution.completedAt) }),
      ...(execution.state === 'FAILED'
        ? {
            AthenaError: {
              ErrorCategory: 2,
              ErrorType: 1000,
              Retryable: false,
              ErrorMessage: execution.stateChangeReason,
            },
          }
        : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: Math.round(result?.engineMs ?? 0),
      DataScannedInBytes: result?.scannedBytes ?? 0,
      TotalExecutionTimeInMillis: total,
      QueryQueueTimeInMillis: queued,
      QueryPlanningTimeInMillis: 0,
      ServiceProcessingTimeInMillis: 0,
    },
    WorkGroup: execution.workgroup,
    EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
  };
}
