import { LOCAL_ACCOUNT_ID } from '../../runtime/functionArn.js';

/**
 * One line of an error-output object, as Firehose writes them: the reason, the times, and the raw record in base64
 * (so nothing is lost), with the Glue table for conversion failures.
 */
export function errorOutputLine(
  record: { readonly data: Buffer; readonly arrivalMs: number },
  errorCode: string,
  message: string,
  nowMs: number,
  catalog: { readonly database: string; readonly table: string; readonly region: string } | undefined,
): string {
  return `${JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: record.arrivalMs,
    lastErrorCode: errorCode,
    lastErrorMessage: message,
    attemptEndingTimestamp: nowMs,
    rawData: record.data.toString('base64'),
    ...(catalog === undefined
      ? {}
      : {
          dataCatalogTable: {
            catalogId: LOCAL_ACCOUNT_ID,
            databaseName: catalog.database,
            tableName: catalog.table,
            region: catalog.region,
            versionId: '0',
          },
        }),
  })}\n`;
}
