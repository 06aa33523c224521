/**
 * Hover sizes: how long the types a user sees are, in characters, for a client and a snapshot of
 * each vendor, read from the built package (`dist/`, as a user installs it) by the TypeScript
 * compiler. Three measures per name:
 * - `type`: `checker.typeToString` without truncation (what the type really prints as);
 * - `hover`: the editor's quick info (`languageService.getQuickInfoAtPosition`), as VS Code shows it;
 * - `d.ts`: the line `tsc --declaration` writes for `export const name = …`.
 *
 * Needs `npm run build` first. `npx tsx bench/hovers.ts` prints a table; `--show` prints the texts too;
 * `--src` reads the sources instead of `dist/` (no build needed; the figures are close, not the same).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = fileURLToPath(new URL('..', import.meta.url));
// Inside the repo, so that `taskwait` resolves to the package itself (its exports, its dist/).
const dir = join(repo, '.tmp', 'hovers');
const probe = join(dir, 'probe.ts');

const SOURCE = `
import { createClient } from 'taskwait';
import { mixpeek } from 'taskwait/mixpeek';
import { anaplan } from 'taskwait/anaplan';
import { layerIq } from 'taskwait/layer-iq';
import { postman } from 'taskwait/postman';
import { softwareOne } from 'taskwait/softwareone';

export const mixpeekClient = createClient(mixpeek, { token: process.env.MIXPEEK_TOKEN });
export const mixpeekSnapshot = await mixpeekClient.get('task_1');
export const anaplanClient = createClient(anaplan, { token: process.env.ANAPLAN_TOKEN });
export const anaplanSnapshot = await anaplanClient.get({ modelId: 'm', kind: 'syncTasks', taskId: 't' });
export const layerIqClient = createClient(layerIq, { token: process.env.LAYER_IQ_TOKEN });
export const layerIqSnapshot = await layerIqClient.get('t');
export const postmanClient = createClient(postman, { token: process.env.POSTMAN_TOKEN });
export const postmanSnapshot = await postmanClient.get({ kind: 'collection-update', taskId: 't' });
export const softwareOneClient = createClient(softwareOne, { token: process.env.SOFTWAREONE_TOKEN });
export const softwareOneSnapshot = await softwareOneClient.get('TSK-0001-0001-0001-0001');
`;

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  // 0.1.0 fails the probe under it (TS2379 on `token: process.env.…`): `--no-exact` measures 0.1.0.
  exactOptionalPropertyTypes: !process.argv.includes('--no-exact'),
  skipLibCheck: true,
  types: ['node'],
  declaration: true,
  emitDeclarationOnly: true,
  noEmit: false,
};
if (process.argv.includes('--src')) {
  options.baseUrl = repo;
  options.paths = {
    taskwait: ['src/index.ts'],
    'taskwait/layer-iq': ['src/vendors/layer-iq/index.ts'],
    'taskwait/anaplan': ['src/vendors/anaplan/index.ts'],
    'taskwait/postman': ['src/vendors/postman/index.ts'],
    'taskwait/softwareone': ['src/vendors/softwareone/index.ts'],
    'taskwait/mixpeek': ['src/vendors/mixpeek/index.ts'],
  };
}

mkdirSync(dir, { recursive: true });
writeFileSync(probe, SOURCE);
try {
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [probe],
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => {
      const text = ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => dir,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host);
  const program = service.getProgram();
  if (!program) throw new Error('no program');
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === probe);
  if (errors.length > 0) {
    const text = ts.formatDiagnostics(errors, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    });
    throw new Error(`the probe does not compile (run npm run build first?):\n${text}`);
  }
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(probe) as ts.SourceFile;
  let declarations = '';
  program.emit(file, (name, text) => {
    if (name.endsWith('.d.ts')) declarations = text;
  });

  const rows: { name: string; type: string; hover: string; dts: string }[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const name = declaration.name.getText(file);
      const type = checker.typeToString(
        checker.getTypeAtLocation(declaration.name),
        undefined,
        ts.TypeFormatFlags.NoTruncation,
      );
      const info = service.getQuickInfoAtPosition(probe, declaration.name.getStart(file));
      const hover = ts.displayPartsToString(info?.displayParts ?? []);
      const line = new RegExp(`export declare const ${name}: ([\\s\\S]*?);\\n(?=export|$)`).exec(declarations);
      rows.push({ name, type, hover, dts: line?.[1] ?? '' });
    }
  }
  const show = process.argv.includes('--show');
  console.log('name                 type   hover   d.ts   (characters)');
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(20)} ${String(row.type.length).padStart(6)} ${String(row.hover.length).padStart(6)} ${String(row.dts.length).padStart(6)}`,
    );
    if (show) console.log(`  type:  ${row.type}\n  hover: ${row.hover}\n  d.ts:  ${row.dts}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
