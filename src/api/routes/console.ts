/**
 * The operator's console: static files from src/api/ui (plain ES modules, no build step) at `GET /ui`.
 * The files are public; every figure they show comes from the token-checked API, with the token the
 * console asks for (kept in sessionStorage, sent as a bearer header).
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import '../fastify-types.js';
import { ApiError } from '../api-error.js';

const UI_DIR = new URL('../ui/', import.meta.url);
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of await readdir(UI_DIR)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { type, body: await readFile(new URL(name, UI_DIR)) });
  }
  const send = (reply: FastifyReply, name: string): FastifyReply => {
    const file = files.get(name);
    if (!file) throw ApiError.notFound(`console file "${name}"`);
    return reply.headers(SECURITY_HEADERS).type(file.type).send(file.body);
  };
  const page = { tags: ['operations'], summary: 'The operator’s console (HTML; its data comes from the API with the token it asks for)' };
  app.get('/ui', { config: { access: 'public' }, schema: page }, (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { file: string } }>(
    '/ui/:file',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'A file of the console (its scripts and style sheet)',
        params: { type: 'object', required: ['file'], properties: { file: { type: 'string', pattern: '^[a-z0-9-]{1,64}\\.(html|js|css|svg)$' } } },
      },
    },
    (request, reply) => send(reply, request.params.file),
  );
}
