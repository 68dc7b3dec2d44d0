/**
 * The `connection` option of a cluster pool and of `weft worker`: a Redis URL, parsed once into what ioredis
 * takes. `redis://[user][:password]@host[:port][/db][?prefix=name]`, or `rediss://` for TLS. The prefix namespaces
 * every key weft and BullMQ write, so several clusters can share one Redis.
 */
import { InvalidOptionError } from '../pool/errors.js';

/** A parsed connection: ioredis options, the key prefix, and the URL with its password hidden (for messages). */
export interface ClusterConnection {
  redis: { host: string; port: number; username?: string; password?: string; db: number; tls?: Record<string, never> };
  prefix: string;
  /** The URL without its password, for errors and logs. */
  shown: string;
}

const DEFAULT_PORT = 6379;
export const DEFAULT_PREFIX = 'weft';
/** Keys are built from the prefix and queue name: keep them to characters that never need quoting. */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Parses a `connection` string; throws InvalidOptionError (on `option`) naming what is wrong. */
export function parseConnection(value: unknown, option = 'connection'): ClusterConnection {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionError(option, `expected a Redis URL such as 'redis://127.0.0.1:6379', got ${describe(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionError(option, `'${hidePassword(value)}' is not a URL; expected e.g. 'redis://127.0.0.1:6379'`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InvalidOptionError(option, `expected a redis:// or rediss:// URL, got the scheme '${url.protocol}'`);
  }
  if (!url.hostname) throw new InvalidOptionError(option, `the URL names no host`);
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new InvalidOptionError(option, `the database number '${dbText}' is not an integer >= 0`);
  const prefix = url.searchParams.get('prefix') ?? DEFAULT_PREFIX;
  if (!NAME.test(prefix)) throw new InvalidOptionError(option, `the key prefix '${prefix}' must be 1-100 letters, digits, '_', '.' or '-'`);
  const redis: ClusterConnection['redis'] = { host: url.hostname.replace(/^\[|\]$/g, ''), port, db };
  try {
    if (url.username) redis.username = decodeURIComponent(url.username);
    if (url.password) redis.password = decodeURIComponent(url.password);
  } catch {
    throw new InvalidOptionError(option, `the user name or password in '${hidePassword(value)}' has a malformed %-escape`);
  }
  if (url.protocol === 'rediss:') redis.tls = {};
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return { redis, prefix, shown: shown.href };
}

/** Checks a queue name (option `queue`); the default is 'weft'. */
export function parseQueueName(value: unknown, option = 'queue'): string {
  if (value === undefined) return 'weft';
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new InvalidOptionError(option, `expected 1-100 letters, digits, '_', '.' or '-', got ${describe(value)}`);
  }
  return value;
}

/** The text with everything between the scheme's user name and the last '@' of the authority hidden. */
function hidePassword(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^/]*@/, '$1***@');
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${hidePassword(value)}'` : value === null ? 'null' : typeof value;
}
