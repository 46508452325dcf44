/** Who is calling: the token's label, role and sites. Never holds the token itself. */
import type { ApiRole } from '../../config.js';

export class Principal {
  private readonly siteSet: ReadonlySet<string> | null;

  constructor(
    /** the token's label from config, for logs */
    readonly name: string,
    readonly role: ApiRole,
    sites: readonly string[],
  ) {
    // null = every site (`*`): the per-event scope check then costs nothing
    this.siteSet = sites.includes('*') ? null : new Set(sites);
  }

  /** The caller when no tokens are configured: open, but the server only binds to loopback. */
  static loopbackOnly(): Principal {
    return new Principal('anonymous (no API tokens configured)', 'admin', ['*']);
  }

  get allSites(): boolean {
    return this.siteSet === null;
  }

  get isAdmin(): boolean {
    return this.role === 'admin';
  }

  allowsSite(siteId: string): boolean {
    return this.siteSet === null || this.siteSet.has(siteId);
  }
}
