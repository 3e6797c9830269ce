/**
 * Package managers and package runners for the guard's command inspection: `npm run`, `npm test`,
 * `npm exec` / `npx`, `pnpm <script|bin>`, `pnpm exec|dlx`, `yarn <script|bin>`, `yarn dlx`,
 * `yarn workspace`, `bun run`, `bunx`, and the lifecycle scripts `install` runs. A package script's text
 * is inspected as a shell command line (recursively, with a cycle guard), with the arguments the
 * package manager appends to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { destructive, nested, programName, type Ctx, type Finding } from './context.js';
import { hasUnknown } from './shell.js';
import type { Handler } from './tools.js';

interface PackageJson {
  name?: unknown;
  scripts?: Record<string, unknown>;
  workspaces?: unknown;
}

function readPackage(dir: string): PackageJson | null {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as unknown;
    return data && typeof data === 'object' ? (data as PackageJson) : null;
  } catch {
    return null;
  }
}

function scriptOf(dir: string, name: string): string | undefined {
  const s = readPackage(dir)?.scripts?.[name];
  return typeof s === 'string' ? s : undefined;
}

/** The nearest directory at or above `cwd` with a package.json (where npm runs scripts). */
export function packageDir(cwd: string): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

// ---------------------------------------------------------------------------------------------------
// Workspaces

function workspaceRoot(cwd: string): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (readPackage(dir)?.workspaces !== undefined) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function workspacePatterns(root: string): string[] {
  const patterns: string[] = [];
  const ws = readPackage(root)?.workspaces;
  const list = Array.isArray(ws) ? ws : ws && typeof ws === 'object' && Array.isArray((ws as { packages?: unknown }).packages) ? (ws as { packages: unknown[] }).packages : [];
  for (const p of list) if (typeof p === 'string') patterns.push(p);
  try {
    const doc = parseYaml(fs.readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: unknown } | null;
    if (doc && Array.isArray(doc.packages)) for (const p of doc.packages) if (typeof p === 'string') patterns.push(p);
  } catch {
    // no pnpm-workspace.yaml
  }
  return patterns;
}

function expandPattern(root: string, pattern: string): string[] {
  const segments = pattern.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
  let dirs = [root];
  for (const seg of segments) {
    const next: string[] = [];
    for (const dir of dirs) {
      if (seg === '**') {
        const walk = (d: string, depth: number): void => {
          next.push(d);
          if (depth >= 4) return;
          for (const child of subdirs(d)) walk(child, depth + 1);
        };
        walk(dir, 0);
      } else if (seg.includes('*')) {
        const re = globRegExp(seg);
        for (const child of subdirs(dir)) if (re.test(path.basename(child))) next.push(child);
      } else next.push(path.join(dir, seg));
    }
    dirs = next;
  }
  return dirs.filter((d) => fs.existsSync(path.join(d, 'package.json')));
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Every workspace package directory (and the root), for -r / --workspaces / foreach. */
function allWorkspaces(cwd: string): string[] {
  const root = workspaceRoot(cwd) ?? packageDir(cwd);
  if (!root) return [];
  const dirs = new Set<string>([root]);
  const patterns = workspacePatterns(root);
  const excluded = new Set(patterns.filter((p) => p.startsWith('!')).flatMap((p) => expandPattern(root, p.slice(1))));
  for (const p of patterns) if (!p.startsWith('!')) for (const d of expandPattern(root, p)) if (!excluded.has(d)) dirs.add(d);
  return [...dirs];
}

/**
 * The workspace packages a selector names (npm -w, pnpm --filter, yarn workspace): by package name
 * (globs allowed) or by path. A selector the guard cannot resolve selects every package, so that
 * nothing is missed.
 */
function selectWorkspaces(cwd: string, selectors: readonly string[]): string[] {
  const all = allWorkspaces(cwd);
  if (selectors.length === 0) return all;
  const root = workspaceRoot(cwd) ?? cwd;
  const chosen = new Set<string>();
  for (const raw of selectors) {
    let sel = raw.replace(/^\^?\.\.\./, '').replace(/\.\.\.\^?$/, '').replace(/\[.*\]$/, '');
    if (sel.startsWith('!') || sel === '' || hasUnknown(sel)) return all;
    const braced = /^\{(.+)\}$/.exec(sel);
    if (braced) sel = braced[1]!;
    const byPath = braced !== null || sel.startsWith('.') || sel.startsWith('/');
    let matched = false;
    for (const dir of all) {
      const name = readPackage(dir)?.name;
      const rel = path.relative(root, dir) || '.';
      const ok = byPath
        ? globRegExp(path.relative(root, path.resolve(cwd, sel)) || '.').test(rel) || path.resolve(cwd, sel) === dir
        : (typeof name === 'string' && globRegExp(sel).test(name)) || globRegExp(sel).test(rel);
      if (ok) {
        chosen.add(dir);
        matched = true;
      }
    }
    if (!matched) return all;
  }
  return [...chosen];
}

// ---------------------------------------------------------------------------------------------------
// Running a script

const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_\-+=/.,:@%^]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Inspect package script `name` of the package in `dir` with `args` appended (as npm does: the script
 * text, a space, the quoted arguments). null when the package has no such script.
 */
function runScript(pm: string, dir: string, name: string, args: readonly string[], ctx: Ctx, prePost: boolean): Finding[] | null {
  const text = scriptOf(dir, name);
  if (text === undefined) return null;
  const findings: Finding[] = [];
  const one = (scriptName: string, scriptText: string, scriptArgs: readonly string[]): void => {
    const key = `${dir}\u0000${scriptName}`;
    if (ctx.shared.scriptStack.includes(key)) return; // a cycle: this script is already being inspected
    ctx.shared.scriptStack.push(key);
    try {
      const full = scriptArgs.length ? `${scriptText} ${scriptArgs.map(quoteArg).join(' ')}` : scriptText;
      const rel = path.relative(ctx.cwd, dir);
      const step = `${pm} run ${scriptName}${rel ? ` in ${rel}` : ''}`;
      const env = { ...ctx.env, npm_lifecycle_event: scriptName, npm_package_json: path.join(dir, 'package.json') };
      findings.push(...ctx.shared.analyzeScript(full, nested(ctx, step, { cwd: dir, env })));
    } finally {
      ctx.shared.scriptStack.pop();
    }
  };
  if (prePost) {
    const pre = scriptOf(dir, `pre${name}`);
    if (pre !== undefined) one(`pre${name}`, pre, []);
  }
  one(name, text, args);
  if (prePost) {
    const post = scriptOf(dir, `post${name}`);
    if (post !== undefined) one(`post${name}`, post, []);
  }
  return findings;
}

function runScriptIn(pm: string, dirs: readonly string[], name: string, args: readonly string[], ctx: Ctx, prePost = true): { findings: Finding[]; found: boolean } {
  const findings: Finding[] = [];
  let found = false;
  for (const dir of dirs) {
    const r = runScript(pm, dir, name, args, ctx, prePost);
    if (r) {
      found = true;
      findings.push(...r);
    }
  }
  return { findings, found };
}

function lifecycle(pm: string, dirs: readonly string[], ctx: Ctx, extra: readonly string[] = [], argv: readonly string[] = []): Finding[] {
  if (argv.includes('--ignore-scripts')) return [];
  return [...LIFECYCLE, ...extra].flatMap((name) => runScript(pm, dirs[0] ?? ctx.cwd, name, [], ctx, false) ?? []);
}

/** The command a package spec runs: `prisma@5` → prisma, `@scope/tool@1` → tool, `sequelize-cli` → sequelize. */
export function binOfPackage(spec: string): string {
  const m = /^(@[^/@]+\/[^@]+|[^@]+)(?:@.*)?$/.exec(spec);
  const name = m ? m[1]! : spec;
  const known: Record<string, string> = { 'sequelize-cli': 'sequelize', '@prisma/cli': 'prisma' };
  return known[name] ?? programName(name.replace(/^@[^/]+\//, ''));
}

function runPackageBinary(pm: string, spec: string | undefined, args: readonly string[], ctx: Ctx, options: { packages: readonly string[]; call?: string | undefined }): Finding[] {
  if (options.call !== undefined) return ctx.shared.analyzeScript(options.call, nested(ctx, `${pm} -c`));
  if (spec === undefined) return [];
  const cmd = options.packages.length ? spec : binOfPackage(spec);
  return ctx.shared.analyzeArgv([cmd, ...args], nested(ctx, pm));
}

/** Split package-manager options from the command: returns the index of the first positional. */
function scanOptions(args: readonly string[], valued: ReadonlySet<string>, onOption: (name: string, value: string | true) => void): number {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (eq > 0) onOption(name, a.slice(eq + 1));
    else if (valued.has(name)) onOption(name, args[++i] ?? '');
    else onOption(name, true);
  }
  return i;
}

// ---------------------------------------------------------------------------------------------------
// npm / npx

const NPM_VALUED = new Set([
  '--prefix', '-C', '--workspace', '-w', '--loglevel', '--registry', '--cache', '--userconfig', '--globalconfig', '--script-shell', '--tag',
  '--omit', '--include', '--install-strategy', '--call', '-c', '--package', '-p', '--otp', '--access', '--scope', '--before', '--node-options', '--shell',
]);

interface NpmOptions {
  prefix?: string;
  workspaces: string[];
  allWorkspaces: boolean;
  ignoreScripts: boolean;
  call?: string;
  packages: string[];
}

function npmOption(o: NpmOptions, name: string, v: string | true): void {
  if ((name === '--prefix' || name === '-C') && typeof v === 'string') o.prefix = v;
  else if ((name === '--workspace' || name === '-w') && typeof v === 'string') o.workspaces.push(v);
  else if (name === '--workspaces' || name === '-ws') o.allWorkspaces = v !== 'false';
  else if (name === '--ignore-scripts') o.ignoreScripts = v !== 'false';
  else if ((name === '--call' || name === '-c') && typeof v === 'string') o.call = v;
  else if ((name === '--package' || name === '-p') && typeof v === 'string') o.packages.push(v);
}

function npmDirs(o: NpmOptions, ctx: Ctx): string[] {
  const base = o.prefix ? path.resolve(ctx.cwd, o.prefix) : ctx.cwd;
  if (o.allWorkspaces) return allWorkspaces(base).filter((d) => d !== (workspaceRoot(base) ?? ''));
  if (o.workspaces.length) return selectWorkspaces(base, o.workspaces);
  const dir = packageDir(base);
  return dir ? [dir] : [];
}

export const npm: Handler = (argv, ctx) => {
  const o: NpmOptions = { workspaces: [], allWorkspaces: false, ignoreScripts: false, packages: [] };
  const args = argv.slice(1);
  const start = scanOptions(args, NPM_VALUED, (n, v) => npmOption(o, n, v));
  const command = args[start];
  if (command === undefined) return [];
  const rest = args.slice(start + 1);
  if (command === 'exec' || command === 'x') return npx(['npx', ...rest], ctx, 'npx');

  // The rest: script name, positional arguments and options (npm's own, unless after --).
  const positionals: string[] = [];
  const passed: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--') {
      passed.push(...rest.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      const v = eq > 0 ? a.slice(eq + 1) : NPM_VALUED.has(name) ? (rest[++i] ?? '') : true;
      npmOption(o, name, v);
      continue;
    }
    positionals.push(a);
  }
  const dirs = npmDirs(o, ctx);
  const run = (name: string, args2: readonly string[]): Finding[] => runScriptIn('npm', dirs, name, args2, ctx, !o.ignoreScripts).findings;
  switch (command) {
    case 'run':
    case 'run-script':
    case 'rum':
    case 'urn': {
      const [name, ...scriptArgs] = positionals;
      if (name === undefined) return [];
      if (hasUnknown(name)) return [destructive(ctx, 'npm', argv, 'the script to run is only known at run time')];
      return run(name, [...scriptArgs, ...passed]);
    }
    case 'test':
    case 't':
    case 'tst':
    case 'start':
    case 'stop':
    case 'restart': {
      const name = command === 't' || command === 'tst' ? 'test' : command;
      const scriptArgs = [...positionals, ...passed];
      if (name === 'restart' && !dirs.some((d) => scriptOf(d, 'restart') !== undefined)) return [...run('stop', scriptArgs), ...run('start', scriptArgs)];
      return run(name, scriptArgs);
    }
    case 'install':
    case 'i':
    case 'in':
    case 'ins':
    case 'inst':
    case 'insta':
    case 'instal':
    case 'isnt':
    case 'isnta':
    case 'isntal':
    case 'isntall':
    case 'add':
    case 'ci':
    case 'clean-install':
    case 'ic':
    case 'install-clean':
    case 'isntall-clean':
    case 'install-test':
    case 'it':
    case 'install-ci-test':
    case 'cit':
    case 'clean-install-test':
    case 'sit':
      if (o.ignoreScripts) return [];
      return lifecycle('npm', dirs, ctx, /t$/.test(command) || command.endsWith('-test') ? ['pretest', 'test', 'posttest'] : []);
    default:
      return [];
  }
};

export const npx: Handler = (argv, ctx, tool) => {
  const o: NpmOptions = { workspaces: [], allWorkspaces: false, ignoreScripts: false, packages: [] };
  const args = argv.slice(1);
  const start = scanOptions(args, NPM_VALUED, (n, v) => npmOption(o, n, v));
  return runPackageBinary(tool === 'npx' ? 'npx' : tool, args[start], args.slice(start + 1), ctx, { packages: o.packages, call: o.call });
};

// ---------------------------------------------------------------------------------------------------
// pnpm

const PNPM_VALUED = new Set([
  '-C', '--dir', '--filter', '-F', '--filter-prod', '--reporter', '--loglevel', '--workspace-concurrency', '--resume-from', '--test-pattern',
  '--changed-files-ignore-pattern', '--store-dir', '--virtual-store-dir', '--package', '--config', '--report-summary',
]);
const PNPM_BUILTINS = new Set([
  'add', 'audit', 'bin', 'cache', 'config', 'c', 'create', 'deploy', 'doctor', 'env', 'fetch', 'help', 'import', 'init', 'licenses', 'link', 'ln', 'list', 'ls', 'll', 'la',
  'outdated', 'pack', 'patch', 'patch-commit', 'patch-remove', 'prune', 'publish', 'rebuild', 'rb', 'remove', 'rm', 'uninstall', 'un', 'root', 'self-update', 'server', 'setup',
  'store', 'unlink', 'update', 'up', 'upgrade', 'why', 'dedupe', 'outdated', 'approve-builds', 'ignored-builds', 'catalog', 'login', 'logout', 'whoami', 'version',
]);

export const pnpm: Handler = (argv, ctx, tool) => {
  if (tool === 'pnpx') return npx(['pnpx', ...argv.slice(1)], ctx, 'pnpm dlx');
  const filters: string[] = [];
  let recursive = false;
  let dir = ctx.cwd;
  let shellMode = false;
  const packages: string[] = [];
  const onOption = (name: string, v: string | true): void => {
    if ((name === '-C' || name === '--dir') && typeof v === 'string') dir = path.resolve(ctx.cwd, v);
    else if ((name === '--filter' || name === '-F' || name === '--filter-prod') && typeof v === 'string') filters.push(v);
    else if (name === '-r' || name === '--recursive') recursive = true;
    else if (name === '-c' || name === '--shell-mode') shellMode = true;
    else if (name === '--package' && typeof v === 'string') packages.push(v);
  };
  const args = argv.slice(1);
  let start = scanOptions(args, PNPM_VALUED, onOption);
  const command = args[start];
  if (command === undefined) return [];
  const sub = nested(ctx, undefined, { cwd: dir });
  const dirs = (): string[] => (recursive || filters.length ? selectWorkspaces(dir, filters) : [packageDir(dir)].filter((d): d is string => d !== null));
  let rest = args.slice(start + 1);
  const stripDashes = (a: string[]): string[] => (a[0] === '--' ? a.slice(1) : a);
  switch (command) {
    case 'run':
    case 'run-script': {
      start = scanOptions(rest, PNPM_VALUED, onOption);
      const name = rest[start];
      if (name === undefined) return [];
      return runScriptIn('pnpm', dirs(), name, stripDashes(rest.slice(start + 1)), sub).findings;
    }
    case 'exec': {
      start = scanOptions(rest, PNPM_VALUED, onOption);
      rest = rest.slice(start);
      if (shellMode) return ctx.shared.analyzeScript(rest.join(' '), nested(sub, 'pnpm exec -c'));
      return ctx.shared.analyzeArgv(rest, nested(sub, 'pnpm exec'));
    }
    case 'dlx': {
      start = scanOptions(rest, PNPM_VALUED, onOption);
      if (shellMode) return ctx.shared.analyzeScript(rest.slice(start).join(' '), nested(sub, 'pnpm dlx -c'));
      return runPackageBinary('pnpm dlx', rest[start], rest.slice(start + 1), sub, { packages });
    }
    case 'test':
    case 't':
    case 'tst':
    case 'start':
    case 'stop':
    case 'restart':
      return runScriptIn('pnpm', dirs(), command === 't' || command === 'tst' ? 'test' : command, stripDashes(rest), sub).findings;
    case 'install':
    case 'i':
      return lifecycle('pnpm', dirs(), sub, [], argv);
    default: {
      if (PNPM_BUILTINS.has(command)) return command === 'add' ? lifecycle('pnpm', dirs(), sub, [], argv) : [];
      const r = runScriptIn('pnpm', dirs(), command, stripDashes(rest), sub);
      if (r.found) return r.findings;
      return ctx.shared.analyzeArgv([command, ...rest], nested(sub, 'pnpm'));
    }
  }
};

// ---------------------------------------------------------------------------------------------------
// yarn

const YARN_VALUED = new Set(['--cwd', '--modules-folder', '--cache-folder', '--mutex', '--network-timeout', '--registry', '--use-yarnrc']);
const YARN_BUILTINS = new Set([
  'add', 'audit', 'autoclean', 'bin', 'cache', 'check', 'config', 'constraints', 'create', 'dedupe', 'explain', 'generate-lock-entry', 'global', 'help', 'import', 'info', 'init',
  'licenses', 'link', 'list', 'login', 'logout', 'npm', 'outdated', 'owner', 'pack', 'patch', 'patch-commit', 'plugin', 'policies', 'publish', 'rebuild', 'remove', 'search',
  'set', 'tag', 'team', 'unlink', 'unplug', 'up', 'upgrade', 'upgrade-interactive', 'version', 'versions', 'why',
]);

export const yarn: Handler = (argv, ctx) => {
  let dir = ctx.cwd;
  const args = argv.slice(1);
  const start = scanOptions(args, YARN_VALUED, (name, v) => {
    if (name === '--cwd' && typeof v === 'string') dir = path.resolve(ctx.cwd, v);
  });
  const sub = nested(ctx, undefined, { cwd: dir });
  const here = (): string[] => [packageDir(dir)].filter((d): d is string => d !== null);
  const command = args[start];
  const rest = args.slice(start + 1);
  if (command === undefined && args.some((a) => ['--version', '-v', '--help', '-h'].includes(a))) return [];
  if (command === undefined || command === 'install') return lifecycle('yarn', here(), sub, [], argv);
  switch (command) {
    case 'run': {
      const [name, ...scriptArgs] = rest;
      if (name === undefined) return [];
      const r = runScriptIn('yarn', here(), name, scriptArgs, sub);
      return r.found ? r.findings : ctx.shared.analyzeArgv([name, ...scriptArgs], nested(sub, 'yarn run'));
    }
    case 'exec':
      return ctx.shared.analyzeScript(rest.map(quoteArg).join(' '), nested(sub, 'yarn exec'));
    case 'dlx': {
      const packages: string[] = [];
      const s = scanOptions(rest, new Set(['-p', '--package']), (name, v) => {
        if ((name === '-p' || name === '--package') && typeof v === 'string') packages.push(v);
      });
      return runPackageBinary('yarn dlx', rest[s], rest.slice(s + 1), sub, { packages });
    }
    case 'node':
      return ctx.shared.analyzeArgv(['node', ...rest], nested(sub, 'yarn node'));
    case 'workspace': {
      const [name, ...cmd] = rest;
      if (name === undefined) return [];
      return selectWorkspaces(dir, [name]).flatMap((d) => yarn(['yarn', ...cmd], nested(sub, undefined, { cwd: d }), 'yarn'));
    }
    case 'workspaces': {
      const [verb, ...more] = rest;
      if (verb === 'foreach') {
        const s = scanOptions(more, new Set(['-j', '--jobs', '--include', '--exclude', '--from', '--since']), () => undefined);
        const cmd = more.slice(s);
        return allWorkspaces(dir).flatMap((d) => yarn(['yarn', ...cmd], nested(sub, undefined, { cwd: d }), 'yarn'));
      }
      if (verb === 'run') return allWorkspaces(dir).flatMap((d) => runScriptIn('yarn', [d], more[0] ?? '', more.slice(1), sub).findings);
      return [];
    }
    case 'test':
    case 'start':
      return runScriptIn('yarn', here(), command, rest, sub).findings;
    default: {
      if (YARN_BUILTINS.has(command)) return command === 'add' ? lifecycle('yarn', here(), sub, [], argv) : [];
      const r = runScriptIn('yarn', here(), command, rest, sub);
      return r.found ? r.findings : ctx.shared.analyzeArgv([command, ...rest], nested(sub, 'yarn'));
    }
  }
};

// ---------------------------------------------------------------------------------------------------
// bun

const BUN_VALUED = new Set(['--cwd', '--filter', '-F', '--elide-lines', '--shell', '-r', '--preload', '--env-file', '--config', '-c', '--tsconfig-override', '-p', '--package']);
const BUN_BUILTINS = new Set(['build', 'test', 'init', 'create', 'c', 'upgrade', 'pm', 'link', 'unlink', 'remove', 'rm', 'update', 'outdated', 'publish', 'patch', 'audit', 'info', 'repl', 'completions', 'why']);

export const bun: Handler = (argv, ctx, tool) => {
  if (tool === 'bunx') return bunx(argv, ctx, 'bunx');
  let dir = ctx.cwd;
  const filters: string[] = [];
  let all = false;
  const onOption = (name: string, v: string | true): void => {
    if (name === '--cwd' && typeof v === 'string') dir = path.resolve(ctx.cwd, v);
    if ((name === '--filter' || name === '-F') && typeof v === 'string') filters.push(v);
    if (name === '--workspaces') all = true;
  };
  const args = argv.slice(1);
  let start = scanOptions(args, BUN_VALUED, onOption);
  let command = args[start];
  let rest = args.slice(start + 1);
  if (command === undefined) return [];
  const sub = nested(ctx, undefined, { cwd: dir });
  const dirs = (): string[] => (filters.length || all ? selectWorkspaces(dir, filters) : [packageDir(dir)].filter((d): d is string => d !== null));
  if (command === 'x') return bunx(['bunx', ...rest], sub, 'bunx');
  if (command === 'exec') return ctx.shared.analyzeScript(rest.join(' '), nested(sub, 'bun exec'));
  if (command === 'install' || command === 'i' || command === 'add' || command === 'a') return lifecycle('bun', dirs(), sub, [], argv);
  if (BUN_BUILTINS.has(command)) return [];
  if (command === 'run') {
    start = scanOptions(rest, BUN_VALUED, onOption);
    command = rest[start];
    rest = rest.slice(start + 1);
    if (command === undefined) return [];
  }
  const r = runScriptIn('bun', dirs(), command, rest, sub);
  if (r.found) return r.findings;
  if (/\.[cm]?[jt]sx?$/.test(command) || command.includes('/')) return ctx.shared.analyzeArgv(['node', command, ...rest], nested(sub, 'bun'));
  return ctx.shared.analyzeArgv([command, ...rest], nested(sub, 'bun'));
};

const bunx: Handler = (argv, ctx) => {
  const packages: string[] = [];
  const args = argv.slice(1);
  const start = scanOptions(args, new Set(['-p', '--package']), (name, v) => {
    if ((name === '-p' || name === '--package') && typeof v === 'string') packages.push(v);
  });
  return runPackageBinary('bunx', args[start], args.slice(start + 1), ctx, { packages });
};
