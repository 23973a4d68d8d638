import { type GatewayRequest, isTextBody } from './gatewayRequest.js';

/** Query pairs as an ALB passes them: split on `&` and `=`, not URL-decoded. */
function rawQueryPairs(rawQueryString: string): [string, string][] {
  if (rawQueryString === '') return [];
  return rawQueryString.split('&').map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/**
 * The event an Application Load Balancer sends a Lambda target: lowercase headers (plus the X-Forwarded ones it
 * adds) and raw query values; with multi-value headers enabled on the target group, `multiValueHeaders` and
 * `multiValueQueryStringParameters` replace the single maps, which otherwise keep the last value.
 */
export function eventAlb(
  request: GatewayRequest,
  target: { targetGroupArn: string; multiValueHeaders: boolean; port: number },
): Record<string, unknown> {
  const pairs: [string, string][] = [
    ...request.headers.map(([name, value]): [string, string] => [name.toLowerCase(), value]),
    ['x-forwarded-for', request.sourceIp],
    ['x-forwarded-proto', 'http'],
    ['x-forwarded-port', String(target.port)],
  ];
  const query = rawQueryPairs(request.rawQueryString);
  const text = isTextBody(request.headers);
  const body = request.body.length === 0 ? '' : text ? request.body.toString('utf8') : request.body.toString('base64');
  const single = (list: [string, string][]): Record<string, string> => Object.fromEntries(list);
  const multi = (list: [string, string][]): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const [name, value] of list) out[name] = [...(out[name] ?? []), value];
    return out;
  };
  return {
    requestContext: { elb: { targetGroupArn: target.targetGroupArn } },
    httpMethod: request.method,
    path: request.rawPath,
    ...(target.multiValueHeaders
      ? { multiValueQueryStringParameters: multi(query), multiValueHeaders: multi(pairs) }
      : { queryStringParameters: single(query), headers: single(pairs) }),
    body,
    isBase64Encoded: request.body.length > 0 && !text,
  };
}
