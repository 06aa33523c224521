// The README as a user meets it: every ```ts block of README.md is written into a fresh strict
// project in the OS temp dir ("type": "module", strict, exactOptionalPropertyTypes, nodenext,
// skipLibCheck false) that installs the packed package, compiled with tsc, and run (each that can)
// against the fake vendors of taskwait/testing. Its links must work from the npm package too.
// Needs `npm run build` first. KEEP_CONSUMERS=1 keeps the temp project.
//
// Setup the reader does not see goes in HTML comments around a block:
//   <!-- readme:before ... -->   code put before the block (imports, fakes, env)
//   <!-- readme:after ... -->    code put after it (assertions, closing the fakes)
//   <!-- readme:compile-only --> the block is compiled, not run
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanup, pack, pkg, rangeOf, repo, run, seconds, tempDir } from './consumers.mjs';

const README = 'README.md';
const RUN_TIMEOUT_MS = 20_000;

const started = Date.now();
try {
  const blocks = extractBlocks(readFileSync(join(repo, README), 'utf8'));
  if (blocks.length === 0) throw new Error(`${README} has no \`\`\`ts block`);
  const packed = await pack();
  checkLinks(readFileSync(join(repo, README), 'utf8'), packed.files);
  checkDocsLinks();
  const dir = await project(packed.tarball);
  const files = blocks.map((block, i) => writeBlock(dir, block, i + 1));
  await compile(dir, files);
  for (const file of files) await runBlock(dir, file);
} finally {
  cleanup();
}
console.log(`\nREADME check passed in ${seconds(started)}`);

/** The ```ts blocks, each with its README line range and the hidden setup around it. */
function extractBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  const comment = (from, step) => {
    // The nearest non-blank line before (step -1) or after (step 1) the fence, if a readme: comment.
    let at = from;
    while (lines[at] !== undefined && lines[at].trim() === '') at += step;
    if (step === -1) {
      if (!/-->\s*$/.test(lines[at] ?? '')) return undefined;
      let start = at;
      while (start >= 0 && !lines[start].includes('<!--')) start--;
      return parseComment(lines.slice(start, at + 1).join('\n'));
    }
    if (!/^<!--/.test(lines[at] ?? '')) return undefined;
    let end = at;
    while (end < lines.length && !lines[end].includes('-->')) end++;
    return parseComment(lines.slice(at, end + 1).join('\n'));
  };
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,})(\S*)/.exec(lines[i]);
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith(`${fence[1]}${fence[2]}`)) end++;
    if (fence[3] === 'ts' || fence[3] === 'typescript') {
      const before = comment(i - 1, -1);
      const after = comment(end + 1, 1);
      blocks.push({
        firstLine: i + 2, // 1-based line of the block's first code line
        lastLine: end,
        code: lines.slice(i + 1, end).join('\n'),
        before: before?.kind === 'before' ? before.code : '',
        after: after?.kind === 'after' ? after.code : '',
        run: before?.kind !== 'compile-only',
      });
    }
    i = end;
  }
  return blocks;
}

function parseComment(text) {
  const match = /^<!--\s*readme:(before|after|compile-only)\b([\s\S]*?)-->\s*$/.exec(text.trim());
  return match ? { kind: match[1], code: match[2].replace(/^\n/, '').trimEnd() } : undefined;
}

/**
 * Every link of the README works where users read it: on npm and in node_modules/taskwait, a
 * relative link must name a file the tarball ships; a link into this repository, a file that exists
 * here; an anchor, a heading of the README.
 */
function checkLinks(text, shipped) {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/<!--[\s\S]*?-->/g, '');
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const repoUrl = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
  const slugs = new Set(
    [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, '')
        .replaceAll(' ', '-'),
    ),
  );
  const broken = [];
  for (const link of links) {
    if (link.startsWith('#')) {
      if (!slugs.has(link.slice(1))) broken.push(`${link} (no such heading)`);
    } else if (link.startsWith(`${repoUrl}/`)) {
      const path = /^(?:blob|tree)\/main\/(.+?)(?:#.*)?$/.exec(link.slice(repoUrl.length + 1))?.[1];
      if (!path || !existsSync(join(repo, path))) broken.push(`${link} (not a file of this repository)`);
    } else if (!/^[a-z]+:/i.test(link)) {
      const path = link.replace(/^\.\//, '').replace(/#.*$/, '');
      if (!shipped.includes(path)) broken.push(`${link} (not in the npm package: link the repository or ship it)`);
    }
  }
  if (broken.length > 0)
    throw new Error(`${README} has links that break from the npm package:\n  ${broken.join('\n  ')}`);
  console.log(`links: ${links.length}, each a shipped file, a file of ${repoUrl} or a heading`);
}

/** The pages of docs/ are read in the repository: each relative link must name a file of it. */
function checkDocsLinks() {
  const pages = readdirSync(join(repo, 'docs'), { recursive: true }).filter((f) => f.endsWith('.md'));
  const broken = [];
  let count = 0;
  for (const page of pages) {
    const text = readFileSync(join(repo, 'docs', page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^([a-z]+:|#)/i.test(link)) continue;
      count++;
      const target = join(repo, 'docs', dirname(page), link.replace(/#.*$/, ''));
      if (!existsSync(target)) broken.push(`docs/${page}: ${link}`);
    }
  }
  if (broken.length > 0) throw new Error(`docs/ links to files that do not exist:\n  ${broken.join('\n  ')}`);
  console.log(`docs/: ${pages.length} pages, ${count} relative links, each to a file of the repository`);
}

/** A fresh strict ESM project with the tarball, zod, TypeScript, @types/node and msw installed. */
async function project(tarball) {
  const dir = tempDir('readme');
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'readme-snippets', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const deps = [
    `zod@${pkg.peerDependencies.zod}`,
    `msw@${pkg.peerDependencies.msw}`,
    rangeOf('typescript'),
    rangeOf('@types/node'),
  ];
  const t0 = Date.now();
  // The packages are in the npm cache from the repo's own install: no download unless they are not.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], {
    cwd: dir,
    timeoutMs: 300_000,
  });
  console.log(`${dir}: npm install <tarball> ${deps.join(' ')} (${seconds(t0)})`);
  const compilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2022',
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
  };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2)}\n`);
  return dir;
}

/** Writes one block, between its hidden setup, to `block-N.ts`; remembers where its lines came from. */
function writeBlock(dir, block, n) {
  const name = `block-${n}.ts`;
  const head = block.before ? `${block.before}\n` : '';
  const offset = head.split('\n').length - 1; // lines before the block's first line
  writeFileSync(join(dir, name), `${head}${block.code}\n${block.after ? `${block.after}\n` : ''}`);
  return { name, block, offset };
}

/** One tsc run over every block; errors are given as README lines where they fall in a block. */
async function compile(dir, files) {
  const t0 = Date.now();
  const tsc = await run('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    cwd: dir,
    allowFail: true,
  });
  if (tsc.code !== 0) {
    const located = `${tsc.stdout}${tsc.stderr}`.replace(
      /^(block-\d+\.ts)\((\d+),(\d+)\)/gm,
      (whole, name, line, col) => {
        const file = files.find((f) => f.name === name);
        const inBlock = Number(line) - file.offset;
        const lines = file.block.lastLine - file.block.firstLine;
        if (inBlock < 1 || inBlock > lines)
          return `${whole} [hidden setup of the block at ${README}:${file.block.firstLine}]`;
        return `${README}:${file.block.firstLine + inBlock - 1}:${col}`;
      },
    );
    throw new Error(`the README's blocks do not compile in a strict project (${dir}):\n${located}`);
  }
  const summary = files.map((f) => `${f.name} = ${README}:${f.block.firstLine}-${f.block.lastLine}`).join(', ');
  console.log(
    `tsc (strict, exactOptionalPropertyTypes, nodenext, skipLibCheck false): ${files.length} blocks compile (${seconds(t0)})`,
  );
  console.log(`  ${summary}`);
}

async function runBlock(dir, { name, block }) {
  const where = `${README}:${block.firstLine}`;
  if (!block.run) {
    console.log(`${name} (${where}): compile-only`);
    return;
  }
  const t0 = Date.now();
  const out = join('out', name.replace(/\.ts$/, '.js'));
  const ran = await run('node', [out], { cwd: dir, timeoutMs: RUN_TIMEOUT_MS, allowFail: true });
  if (ran.code !== 0) {
    throw new Error(`the block at ${where} exited ${ran.code} (${dir}/${out}):\n${ran.stdout}${ran.stderr}`);
  }
  const shown = ran.stdout.trim().split('\n').slice(0, 6).join('\n      ');
  console.log(`${name} (${where}) runs: exit 0 (${seconds(t0)})${shown ? `\n      ${shown}` : ''}`);
}
