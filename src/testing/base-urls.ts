/**
 * The production base URL a fake's tasks are served at by default.
 *
 * @module
 */
import { ConfigError } from '../index.js';
import { anaplan } from '../vendors/anaplan/index.js';
import { layerIq } from '../vendors/layer-iq/index.js';
import { mixpeek } from '../vendors/mixpeek/index.js';
import { postman } from '../vendors/postman/index.js';
import { softwareOne } from '../vendors/softwareone/index.js';

// For the built-in vendors' fakes that don't name their base URL themselves.
const BUILT_IN: ReadonlyMap<string, string> = new Map(
  [anaplan, layerIq, mixpeek, postman, softwareOne].map((vendor) => [vendor.name, vendor.baseUrl]),
);

/** `fake.baseUrl`, the built-in vendor's, or a clear error asking for one. */
export function baseUrlOf(fake: { vendor: string; baseUrl?: string | undefined }): string {
  const base = fake.baseUrl ?? BUILT_IN.get(fake.vendor);
  if (base) return base;
  throw new ConfigError(
    'baseUrl',
    `the ${fake.vendor} fake names no base URL: set its baseUrl, or pass { baseUrl } (the one your client uses)`,
  );
}
