interface AuthorizerEvent {
  headers?: Record<string, string>;
}

/**
 * A Lambda REQUEST authorizer (payload 2.0, simple responses) for the staff routes. The demo accepts one fixed
 * token; a real one would verify a session or call an identity provider. API Gateway caches the answer per
 * Authorization header for the configured TTL, so this runs once per token per 5 minutes, not per request.
 */
export const handler = async (event: AuthorizerEvent) => {
  const token = event.headers?.authorization ?? '';
  const staff = token === 'Bearer acme-staff-demo-token';
  return { isAuthorized: staff, context: { role: staff ? 'staff' : 'none' } };
};
