/**
 * onRequest hook of the authenticated scope: runs before the body is read, so an unauthenticated
 * 10 MB upload is refused without parsing it. A route without `config.access` needs an admin token.
 */
import type { FastifyRequest } from 'fastify';
import '../fastify-types.js';
import { ApiError } from '../api-error.js';
import type { TokenAuthenticator } from './token-authenticator.js';

export function authHook(authenticator: TokenAuthenticator) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const principal = authenticator.authenticate(request.headers.authorization);
    if (access === 'admin' && !principal.isAdmin) {
      throw ApiError.forbidden('this route needs a token with the admin role');
    }
    request.principal = principal;
  };
}

/** The caller of an authenticated route (the hook ran, so it is set). */
export function principalOf(request: FastifyRequest): NonNullable<FastifyRequest['principal']> {
  const p = request.principal;
  if (p === null) throw new ApiError('UNAUTHORIZED', 'not authenticated');
  return p;
}
