import { XMLParser } from 'fast-xml-parser';
import { s3Error } from '../../lake/objectStoreErrors.js';
import { isTributaryError, type TributaryError } from '../../shared/tributaryError.js';
import type { EdgeResponse } from '../edgeMessage.js';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** Escapes text for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<Name>value</Name>`, escaped; nothing for undefined. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An S3 XML response with the S3 namespace on its root element. */
export function xmlResponse(
  root: string,
  inner: string,
  headers: Record<string, string> = {},
  status = 200,
): EdgeResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`,
  };
}

/** S3's error document: `<Error><Code>NoSuchKey</Code><Message>...</Message>...</Error>`; no body for HEAD. */
export function s3ErrorResponse(
  code: string,
  status: number,
  message: string,
  fields: Readonly<Record<string, unknown>>,
  requestId: string,
  head: boolean,
): EdgeResponse {
  const headers = { 'x-amz-request-id': requestId, 'content-type': 'application/xml' };
  if (head) return { status, headers };
  const extra = Object.entries(fields)
    .map(([k, v]) => element(k, String(v)))
    .join('');
  return {
    status,
    headers,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${element('Code', code)}${element('Message', message)}${extra}${element('RequestId', requestId)}</Error>`,
  };
}

/** Maps an error from the object store (or anything else) to S3's error response. */
export function toS3Error(error: unknown, requestId: string, head: boolean): EdgeResponse {
  if (isTributaryError(error) && error.aws !== undefined) {
    return s3ErrorResponse(error.aws.type, error.aws.status, error.message, error.aws.fields ?? {}, requestId, head);
  }
  const message = error instanceof Error ? error.message : String(error);
  return s3ErrorResponse('InternalError', 500, message, {}, requestId, head);
}

/** Parses a request's XML body; undefined when it is not XML. */
export function parseXml(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = parser.parse(body.toString('utf8'), true);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** S3's answer to a body that is not the XML an operation expects. */
export const malformedXml = (): TributaryError =>
  s3Error(
    'MalformedXML',
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** The root element of a request's XML body (`<Delete>`, `<CompleteMultipartUpload>`), or MalformedXML. */
export function xmlRoot(body: Buffer, root: string): Record<string, unknown> {
  const found = parseXml(body)?.[root];
  if (found === null || typeof found !== 'object') throw malformedXml();
  return found as Record<string, unknown>;
}

/** An XML element that may repeat, as an array. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
