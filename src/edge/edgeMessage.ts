/** A request to the local AWS endpoint, already read: what every service handler receives. */
export interface EdgeRequest {
  readonly method: string;
  /** The decoded path, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names lowercased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What a service answers. */
export interface EdgeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

/** One AWS service spoken on the endpoint, registered in the edge's service table. */
export interface EdgeService {
  readonly name: string;
  /** True when the request is for this service (by path, host or headers). */
  matches(request: EdgeRequest): boolean;
  handle(request: EdgeRequest): Promise<EdgeResponse>;
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): EdgeResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
