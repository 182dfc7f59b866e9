// The hub's TypeScript, compiled to JavaScript once and kept under node_modules/.cache/cgic-hub, so
// `cgic` runs without a TypeScript loader in the process.
//
// Why: tsx (what bin/run-ts.js and the tests' runner use) transforms modules in a loader thread of its
// own, which stays for the life of the process with a heap of its own and a copy of every module's
// source: about 75 MiB of a hub's resident memory (bench/footprint.bench.ts). The compilation is the
// one tsx does (esbuild, file by file, the same tsconfig), so each module keeps its file, its
// import.meta.url (set to the .ts file's), its imports and their order; inline source maps keep the
// .ts files and lines in stack traces. A change to any .ts file (or another Node or esbuild) gives
// another cache key, compiled again at the next start (about a second). When the cache cannot be
// written or esbuild is missing, compiledEntry() returns null and the caller falls back to tsx.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['src', 'connectors'];
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cgic-hub');

function tsFiles(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') tsFiles(p, out);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** `from "./x.ts"`, `import "./x.ts"`, `import("./x.ts")`: the compiled module is ./x.js. */
const RELATIVE_TS = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)(["'])(\.{1,2}\/[^"'\n]*?)\.ts\2/g;

async function compile(files, esbuild, dir) {
  let tsconfigRaw = {};
  try {
    tsconfigRaw = { compilerOptions: JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions ?? {} };
  } catch {
    // esbuild's defaults
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  await Promise.all(
    files.map(async (file) => {
      const { code } = await esbuild.transform(readFileSync(file, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: `node${process.versions.node}`,
        sourcemap: 'inline',
        sourcesContent: false,
        sourcefile: file,
        tsconfigRaw,
        define: {
          'import.meta.url': JSON.stringify(pathToFileURL(file).href),
          'import.meta.filename': JSON.stringify(file),
          'import.meta.dirname': JSON.stringify(path.dirname(file)),
        },
      });
      const out = path.join(dir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, code.replace(RELATIVE_TS, (_m, head, q, spec) => `${head}${q}${spec}.js${q}`));
    }),
  );
}

/**
 * The file URL of `relative` (a .ts file of the project, e.g. 'src/cli/main.ts') compiled, with every
 * other module, in the cache; compiled first if the cache is not current. Null if it cannot be.
 */
export async function compiledEntry(...relatives) {
  try {
    const files = DIRS.flatMap((d) => (existsSync(path.join(ROOT, d)) ? tsFiles(path.join(ROOT, d), []) : [])).sort();
    const esbuildVersion = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')).version;
    const hash = createHash('sha256').update(`${process.versions.node} ${esbuildVersion} ${readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')}\n`);
    for (const f of files) {
      const s = statSync(f);
      hash.update(`${path.relative(ROOT, f)} ${s.size} ${s.mtimeMs}\n`);
    }
    const key = hash.digest('hex').slice(0, 20);
    const dir = path.join(CACHE, key);
    if (!existsSync(path.join(dir, '.complete'))) {
      const tmp = `${dir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      const esbuild = await import('esbuild');
      try {
        await compile(files, esbuild, tmp);
        writeFileSync(path.join(tmp, '.complete'), '');
        try {
          renameSync(tmp, dir);
        } catch (err) {
          // Another process compiled the same sources first: use its copy.
          if (!existsSync(path.join(dir, '.complete'))) throw err;
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
        await esbuild.stop?.();
      }
      // Older compilations: a process started from one has loaded its modules at start.
      const hourAgo = Date.now() - 3600_000;
      for (const e of readdirSync(CACHE)) {
        const p = path.join(CACHE, e);
        if (e !== key && !e.includes('.tmp-') && statSync(p).mtimeMs < hourAgo) rmSync(p, { recursive: true, force: true });
      }
    }
    return relatives.map((r) => pathToFileURL(path.join(dir, r.replace(/\.ts$/, '.js'))).href);
  } catch {
    return null;
  }
}
