// The package as users get it: `npm pack`, publint and attw on the tarball, then fresh consumer
// projects in the OS temp dir that install the tarball and prove ESM import, CommonJS require (with
// and without require(esm)), TypeScript under node16, nodenext and bundler resolution, and the
// `taskwait` bin, and hostile servers against it (consumer/hostile.mjs). Needs `npm run build` first.
// KEEP_CONSUMERS=1 keeps the temp projects.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, makeConsumer, pack, pkg, rangeOf, repo, run, seconds } from './consumers.mjs';
import { startTaskServer } from './task-server.mjs';

// An entry that is only a placeholder (`export {}`) fails the check; set this to true while a new
// entry is being written, so the program leaves out its lines tagged `needs: <entry>` instead.
const ALLOW_PLACEHOLDERS = false;

const entries = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'taskwait' : `taskwait/${key.slice(2)}`));
// `taskwait/testing` needs msw, its optional peer dependency; `taskwait/testing/server` must not.
const withMsw = ['taskwait/testing'];
// `taskwait/bullmq` needs bullmq (and ioredis): without them, importing it says what to install.
const withBullmq = ['taskwait/bullmq'];
const fixture = (name) => readFileSync(join(repo, '.ci', 'consumer', name), 'utf8');
const indent = (text) => text.trim().replaceAll('\n', '\n         ');

const started = Date.now();
let server;
try {
  const { tarball } = await checkTarball();
  await lint(tarball);
  server = await startTaskServer();
  // A "type": "module" project typed by the DOM lib alone that tests with the kit, so it has msw
  // (the kit's optional peer, whose types want the DOM lib and whose CommonJS types need ESM
  // resolution), and no bullmq. A CommonJS service typed by @types/node alone (no DOM lib) that
  // runs its waits on BullMQ (bullmq and ioredis installed) and has no msw: the main entry and the
  // vendors need neither.
  await consumer({
    name: 'esm-dom-kit',
    type: 'module',
    deps: [`msw@${pkg.peerDependencies.msw}`],
    compilerOptions: { lib: ['ES2022', 'DOM'], types: [] },
    withoutBullmq: true,
    tarball,
  });
  await consumer({
    name: 'cjs-node',
    type: 'commonjs',
    deps: [rangeOf('@types/node'), `bullmq@${pkg.peerDependencies.bullmq}`, rangeOf('ioredis')],
    compilerOptions: { lib: ['ES2022'], types: ['node'] },
    withoutMsw: true,
    tarball,
  });
} finally {
  await server?.close();
  cleanup();
}
console.log(`\npackage check passed in ${seconds(started)}`);

/** `npm pack`, then: only what users need is in it, and everything the manifest points at. */
async function checkTarball() {
  section('npm pack');
  const t0 = Date.now();
  const packed = await pack();
  const { files } = packed;
  const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+)$/;
  const testish = /(^|\/)(test|tests|__tests__|fixtures|examples|bench)\/|\.(test|spec)\./;
  const stray = files.filter((f) => !allowed.test(f) || testish.test(f));
  if (stray.length > 0) throw new Error(`the tarball ships files users don't need: ${stray.join(', ')}`);

  const targets = new Set([pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin ?? {})]);
  const collect = (value) => {
    if (typeof value === 'string') targets.add(value);
    else for (const inner of Object.values(value ?? {})) collect(inner);
  };
  collect([pkg.exports, pkg.typesVersions]);
  const missing = [...targets].filter((t) => !files.includes(t.replace(/^\.\//, '')));
  if (missing.length > 0) throw new Error(`the manifest points at files the tarball lacks: ${missing.join(', ')}`);

  for (const map of files.filter((f) => f.endsWith('.map'))) {
    const { sources } = JSON.parse(readFileSync(join(repo, map), 'utf8'));
    const tests = sources.filter((s) => testish.test(s));
    if (tests.length > 0) throw new Error(`${map} maps test or example sources: ${tests.join(', ')}`);
  }
  const bin = readFileSync(join(repo, Object.values(pkg.bin)[0]), 'utf8');
  if (!bin.startsWith('#!/usr/bin/env node')) throw new Error('the bin lacks its #!/usr/bin/env node line');

  // The API reference documents exactly the public entries.
  const docs = JSON.parse(readFileSync(join(repo, 'tsconfig.json'), 'utf8')).typedocOptions?.entryPoints ?? [];
  const sources = Object.values(pkg.exports)
    .filter((value) => typeof value === 'object')
    .map((value) => value.import.default.replace(/^\.\/dist\/(.+)\.js$/, 'src/$1.ts'));
  const undocumented = sources.filter((s) => !docs.includes(s));
  const extra = docs.filter((d) => !sources.includes(d));
  if (undocumented.length + extra.length > 0) {
    throw new Error(`typedocOptions.entryPoints should be the exports' sources: ${[...undocumented, ...extra]}`);
  }

  console.log(`${packed.tarball}: ${files.length} files, ${(packed.size / 1024).toFixed(0)} KiB`);
  const top = [...new Set(files.map((f) => f.split('/')[0]))].join(', ');
  console.log(`it holds ${top}: no sources, no tests, no maps of tests`);
  console.log(
    `all ${targets.size} files the manifest points at are in it; docs entries = exports: ok (${seconds(t0)})`,
  );
  return packed;
}

async function lint(tarball) {
  section('publint --strict');
  let t0 = Date.now();
  const publint = await run(join(repo, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], { cwd: repo });
  console.log(`${(publint.stdout + publint.stderr).trim()} (${seconds(t0)})`);

  section('attw (are the types wrong), strict profile: node10, node16 from CJS and ESM, bundler');
  t0 = Date.now();
  const attw = await run(
    join(repo, 'node_modules/.bin/attw'),
    [tarball, '--format', 'table-flipped', '--no-emoji', '--no-color'],
    { cwd: repo },
  );
  console.log(`${(attw.stdout + attw.stderr).trim()}\n(${seconds(t0)})`);
}

async function consumer({
  name,
  type,
  deps: extra,
  compilerOptions,
  withoutMsw = false,
  withoutBullmq = false,
  tarball,
}) {
  section(`consumer ${name} ("type": "${type}")`);
  const t0 = Date.now();
  const deps = [rangeOf('zod'), rangeOf('typescript'), ...extra];
  const { dir, installMs } = await makeConsumer(name, {
    tarball,
    type,
    deps,
    files: {
      'esm.mjs': fixture('esm.mjs'),
      'cjs.cjs': fixture('cjs.cjs'),
      'local-vendor.cjs': fixture('local-vendor.cjs'),
      'hostile.mjs': fixture('hostile.mjs'),
    },
  });
  console.log(`${dir}: npm install <tarball> ${deps.join(' ')} (${(installMs / 1000).toFixed(1)} s)`);
  console.log('node_modules/taskwait is a copy, no NODE_PATH, no repo dir on PATH');
  const leftOut = [...(withoutMsw ? withMsw : []), ...(withoutBullmq ? withBullmq : [])];
  const loaded = entries.filter((e) => !leftOut.includes(e));
  if (withoutMsw) console.log(`no msw here: ${withMsw.join(' and ')} (which needs it) is left out`);
  if (withoutBullmq) await missingBullmq(dir);

  const esm = await run('node', ['esm.mjs', server.url, ...loaded], { cwd: dir });
  console.log(`ESM      ${indent(esm.stdout)}`);
  const cjs = await run('node', ['cjs.cjs', server.url, ...loaded], { cwd: dir });
  console.log(`CJS      ${indent(cjs.stdout)}`);
  // Without require(esm), taskwait's own entries must load (ky and p-retry are bundled into the
  // CommonJS build). msw's CommonJS build needs require(esm) itself, so what needs msw is tried apart.
  const noRequireEsm = '--no-experimental-require-module';
  const own = loaded.filter((e) => !withMsw.includes(e));
  const flagged = await run('node', [noRequireEsm, 'cjs.cjs', server.url, ...own], { cwd: dir });
  console.log(`CJS      ${indent(flagged.stdout)}`);
  if (!withoutMsw) {
    for (const entry of withMsw) {
      const probe = await run('node', [noRequireEsm, '-e', `require('${entry}')`], { cwd: dir, allowFail: true });
      if (probe.code === 0) {
        console.log(`CJS      require('${entry}') without require(esm): ok`);
        continue;
      }
      const culprit = /require\(\) of ES Module (\S+) from (\S+)/.exec(probe.stderr);
      if (!culprit || culprit[2].includes('/node_modules/taskwait/')) {
        throw new Error(`require('${entry}') fails without require(esm):\n${probe.stderr}`);
      }
      const from = culprit[2].replace(`${dir}/node_modules/`, '');
      console.log(`NOTE     require('${entry}') needs require(esm) (Node >= 20.19): ${from} requires an ES module`);
    }
  }

  // Issue 12's hostile cases against the installed package: it must end each, and exit by itself.
  const hostile = await run('node', ['--expose-gc', 'hostile.mjs'], { cwd: dir, timeoutMs: 60_000 });
  console.log(`HOSTILE  ${indent(hostile.stdout)}`);

  writeFileSync(join(dir, 'main.ts'), guardEntries(fixture('main.ts'), dir, leftOut));
  const resolutions = [
    { moduleResolution: 'node16', module: 'node16', emit: true },
    { moduleResolution: 'nodenext', module: 'nodenext', emit: true },
    { moduleResolution: 'bundler', module: 'esnext', emit: false },
  ];
  for (const { moduleResolution, module, emit } of resolutions) {
    const config = `tsconfig.${moduleResolution}.json`;
    const outDir = `out-${moduleResolution}`;
    const options = {
      strict: true,
      skipLibCheck: false,
      target: 'ES2022',
      ...compilerOptions,
      module,
      moduleResolution,
      ...(emit ? { outDir } : { noEmit: true }),
    };
    writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: options, files: ['main.ts'] }, null, 2));
    const tsc = await run('node', ['node_modules/typescript/bin/tsc', '-p', config, '--listFiles'], {
      cwd: dir,
      allowFail: true,
    });
    const listed = tsc.stdout.split('\n').filter((line) => line.startsWith('/'));
    if (tsc.code !== 0) {
      const errors = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((line) => !line.startsWith('/'));
      throw new Error(`tsc -p ${config} failed in ${dir}:\n${errors.join('\n')}`);
    }
    const outside = listed.filter((file) => !file.startsWith(`${dir}/`));
    if (outside.length > 0) throw new Error(`tsc read files from outside the consumer: ${outside.join(', ')}`);
    const typings = listed
      .map((file) => /node_modules\/taskwait\/dist\/(.+)$/.exec(file)?.[1])
      .filter((file) => file && !/(^chunk-|-[\w-]{8}\.d\.c?ts$)/.test(file));
    let line = `TS ${moduleResolution.padEnd(8)} ${module} program type-checks, ${listed.length} files all in the consumer; taskwait types: ${typings.join(' ')}`;
    if (emit) {
      const ran = await run('node', [`${outDir}/main.js`, server.url], { cwd: dir });
      line += `\n         ${indent(ran.stdout)}`;
    }
    console.log(line);
  }

  // `--help` must exit 0 (a placeholder CLI prints nothing). Once it prints, `--version` must
  // print the packed version.
  const npx = (arg) => run('npx', ['--no', '--', 'taskwait', arg], { cwd: dir, timeoutMs: 60_000 });
  const help = await npx('--help');
  const output = `${help.stdout}\n${help.stderr}`.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
  if (/^Run a command from a local or remote npm package/.test(output[0] ?? '')) {
    throw new Error('npx printed its own help instead of running the taskwait bin');
  }
  if (output.length === 0) {
    console.log('bin      npx taskwait --help exits 0 (prints nothing yet: placeholder CLI)');
  } else {
    const version = (await npx('--version')).stdout.trim();
    if (!version.includes(pkg.version)) throw new Error(`taskwait --version printed ${version}, not ${pkg.version}`);
    console.log(`bin      npx taskwait --help exits 0: ${output[0]}`);
    console.log(`         npx taskwait --version: ${version}`);
  }
  console.log(`consumer ${name} passed (${seconds(t0)})`);
}

/** Without bullmq, `taskwait/bullmq` fails on import and on require, naming what to install. */
async function missingBullmq(dir) {
  const wanted = 'npm install bullmq ioredis';
  const ways = {
    import: ['--input-type=module', '-e', "await import('taskwait/bullmq')"],
    require: ['-e', "require('taskwait/bullmq')"],
  };
  for (const [way, args] of Object.entries(ways)) {
    const probe = await run('node', args, { cwd: dir, allowFail: true });
    const message = /ConfigError: (.+)/.exec(probe.stderr)?.[1];
    if (probe.code === 0 || !message?.includes(wanted)) {
      throw new Error(`${way} of taskwait/bullmq without bullmq should fail naming \`${wanted}\`:\n${probe.stderr}`);
    }
    if (way === 'import') console.log(`no bullmq here: ${withBullmq.join(' and ')} is left out; importing it says:`);
    console.log(`         ${way.padEnd(7)} ConfigError: ${message}`);
  }
}

/**
 * Comments out what the program needs of an entry that this consumer leaves out, or that is
 * still a placeholder (`export {}`): each line tagged `// needs: <entry> [<entry>...]`, and each
 * block from a line `// needs: <entry> [<entry>...] {` to the line `// }`.
 */
function guardEntries(source, dir, leftOut) {
  const installed = JSON.parse(readFileSync(join(dir, 'node_modules/taskwait/package.json'), 'utf8'));
  const verdicts = new Map();
  const dropped = (entry) => {
    if (!verdicts.has(entry)) verdicts.set(entry, verdict(entry));
    return verdicts.get(entry);
  };
  const verdict = (entry) => {
    if (leftOut.includes(entry)) return true;
    const types = installed.exports[`./${entry.slice('taskwait/'.length)}`]?.import?.types;
    if (!types) throw new Error(`${entry} is not in the package's exports`);
    const text = readFileSync(join(dir, 'node_modules/taskwait', types), 'utf8')
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      .trim();
    if (!/^export\s*\{\s*\};?$/.test(text)) return false;
    if (!ALLOW_PLACEHOLDERS) throw new Error(`${entry} is still a placeholder (export {})`);
    console.log(`NOTE     ${entry} is a placeholder (export {}): the program leaves out what needs it`);
    return true;
  };
  let block;
  return source
    .split('\n')
    .map((line) => {
      if (block) {
        if (/^\s*\/\/ \}\s*$/.test(line)) block = { ...block, done: true };
        const out = block.drop ? `// ${line}` : line;
        if (block.done) block = undefined;
        return out;
      }
      const tag = /\/\/ needs: ((?:taskwait\/[\w/-]+ ?)+?)( \{)?\s*$/.exec(line);
      if (!tag) return line;
      const drop = tag[1].trim().split(/\s+/).some(dropped);
      if (tag[2]) block = { drop };
      return drop ? `// ${line}` : line;
    })
    .join('\n');
}

function section(title) {
  console.log(`\n-- ${title}`);
}
