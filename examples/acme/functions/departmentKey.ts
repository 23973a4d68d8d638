interface AuthorizerEvent {
  headers?: Record<string, string>;
}

/**
 * A Lambda authorizer (simple responses) for the query route: the `x-api-key` header names a department. The keys
 * here are the demo keys of `access.principals`; a real app would keep them in a secret store.
 */
export const handler = async (event: AuthorizerEvent) => {
  const keys = JSON.parse(process.env.DEPARTMENT_KEYS ?? '{}') as Record<string, string>;
  const department = keys[event.headers?.['x-api-key'] ?? ''];
  return { isAuthorized: department !== undefined, context: { department: department ?? 'none' } };
};
