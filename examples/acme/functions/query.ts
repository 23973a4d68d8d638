import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';

interface QueryEvent {
  body?: string;
  requestContext: { authorizer?: { lambda?: { department?: string } } };
}

const json = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * `POST /query {"sql": "..."}`: the seed's "second API endpoint and function". Clients never talk to the engine;
 * this function runs their SQL through the Athena API as their department (each department signs with its own
 * access key, so the lake's grants apply), waits for it, and returns the rows.
 */
export const handler = async (event: QueryEvent) => {
  const department = event.requestContext.authorizer?.lambda?.department ?? '';
  const accessKeys = JSON.parse(process.env.DEPARTMENT_ACCESS_KEYS ?? '{}') as Record<string, string>;
  const accessKeyId = accessKeys[department];
  if (accessKeyId === undefined) return json(403, { message: 'Forbidden' });
  const { sql } = JSON.parse(event.body ?? '{}') as { sql?: string };
  if (typeof sql !== 'string' || sql.trim() === '') return json(400, { message: 'send {"sql": "SELECT ..."}' });

  const athena = new AthenaClient({ credentials: { accessKeyId, secretAccessKey: 'unused-locally' } });
  try {
    const { QueryExecutionId } = await athena.send(
      new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: department } }),
    );
    for (;;) {
      const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED')
        return json(400, { message: QueryExecution?.Status?.StateChangeReason ?? state });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const rows: (string | null)[][] = [];
    let token: string | undefined;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId, NextToken: token }));
      for (const row of page.ResultSet?.Rows ?? []) rows.push((row.Data ?? []).map((d) => d.VarCharValue ?? null));
      token = page.NextToken;
    } while (token !== undefined);
    const [header = [], ...data] = rows;
    return json(200, { columns: header, rows: data });
  } catch (error) {
    const name = (error as Error).name;
    return json(name === 'AccessDeniedException' ? 403 : 400, { message: `${name}: ${(error as Error).message}` });
  } finally {
    athena.destroy();
  }
};
