/** What a SigV4 `Authorization` header says about the caller (nothing here is verified). */
export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Parses the credential scope of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, ...`
 * (or the `X-Amz-Credential` query parameter of a presigned URL). Signatures are not checked in dev.
 */
export function sigV4Scope(authorization: string | undefined, query: URLSearchParams): SigV4Scope | undefined {
  const source =
    authorization ?? (query.has('X-Amz-Credential') ? `Credential=${query.get('X-Amz-Credential')}` : undefined);
  const match = source === undefined ? null : CREDENTIAL.exec(source);
  if (match === null) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = match;
  return { accessKeyId, date, region, service };
}
