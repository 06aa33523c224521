import { defineConfig } from 'tsup';

const entry = {
  index: 'src/index.ts',
};

// ky and p-retry (and p-retry's is-network-error) are ESM-only: the CommonJS build carries its
// own copy so that require('taskwait') works on every Node >= 20, not only where require(esm) does.
const esmOnly = ['ky', 'p-retry', 'is-network-error'];

export default defineConfig([
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
  },
]);
