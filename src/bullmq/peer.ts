/**
 * bullmq is an optional peer dependency: this module says so clearly when it is missing, and
 * loads it where it is used (the build of bullmq that matches the caller's, ESM or CommonJS).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { ConfigError } from '../index.js';

/** What to run when bullmq is missing. */
export const INSTALL_LINE = 'npm install bullmq ioredis';

/**
 * Throws a {@link ConfigError} naming the packages to install unless bullmq can be found from
 * here. Run when `taskwait/bullmq` is imported, so a missing peer fails at once, not mid-job.
 */
export function requireBullmq(): void {
  try {
    createRequire(import.meta.url).resolve('bullmq');
  } catch (error) {
    throw new ConfigError(
      'bullmq',
      `taskwait/bullmq runs on BullMQ, which is not installed: run \`${INSTALL_LINE}\` (bullmq 6 and the ioredis client it connects to Redis with)`,
      { cause: error },
    );
  }
}

type Bullmq = typeof import('bullmq');
let loaded: Promise<Bullmq> | undefined;

/**
 * bullmq itself, loaded once. The CommonJS build of taskwait (where `module` is defined) requires
 * it, so that a CommonJS program's Worker and the errors thrown here come from one copy of bullmq.
 */
export function bullmq(): Promise<Bullmq> {
  loaded ??=
    typeof module === 'undefined'
      ? import('bullmq')
      : Promise.resolve().then(() => createRequire(import.meta.url)('bullmq') as Bullmq);
  return loaded;
}
