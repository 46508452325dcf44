/** What the API adds to Fastify's types: the caller on each request, and each route's access level. */
import type { Principal } from './auth/principal.js';

/** `public`: no token; `line`: any valid token (site scope checked by the route); `admin`: admin tokens only */
export type RouteAccess = 'public' | 'line' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the auth hook on every authenticated route */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}
