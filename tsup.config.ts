import { defineConfig } from 'tsup';

const entry = {
  index: 'src/index.ts',
  'vendors/layer-iq/index': 'src/vendors/layer-iq/index.ts',
  'vendors/anaplan/index': 'src/vendors/anaplan/index.ts',
  'vendors/postman/index': 'src/vendors/postman/index.ts',
  'vendors/softwareone/index': 'src/vendors/softwareone/index.ts',
  'vendors/mixpeek/index': 'src/vendors/mixpeek/index.ts',
  'testing/index': 'src/testing/index.ts',
  'testing/server': 'src/testing/server.ts',
  'bullmq/index': 'src/bullmq/index.ts',
  schedule: 'src/schedule.ts',
};

// ky and p-retry (and p-retry's is-network-error) are ESM-only: the CommonJS build carries its
// own copy so that require('taskwait') works on every Node >= 20, not only where require(esm) does.
const esmOnly = ['ky', 'p-retry', 'is-network-error'];

export default defineConfig([
  {
    // The bin: ESM only, its own bundle, so its needs never reach `import 'taskwait'`.
    entry: { 'cli/index': 'src/cli/index.ts' },
    format: 'esm',
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entry,
    format: 'esm',
    dts: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    target: 'node20',
  },
  {
    entry,
    format: 'cjs',
    dts: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    target: 'node20',
    noExternal: esmOnly,
    // import.meta.url (taskwait/bullmq finds its optional peer from where it is installed) as the CommonJS build has it.
    shims: true,
  },
]);
