/**
 * Load seed files: YAML (.yaml/.yml), JSON (.json) and typed TS/JS modules (.ts/.mts/.cts/.js/.mjs/.cjs,
 * default export or a named `seed` export, loaded with jiti as the config file is).
 *
 * Several files may be given, or a directory: its seed files, non-recursively, in name order
 * (e.g. seeds/10-base.yaml, seeds/90-demo.yaml). Order between files matters only for blocks of the
 * same table; tables are always applied in foreign-key order. At most one file may define `admin`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readDataFile } from '../core/data-file.js';
import { ConfigError } from '../core/errors.js';
import { parseSeedFile, type SeedFile } from './schema.js';

export const SEED_EXTENSIONS = ['.yaml', '.yml', '.json', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

/** One validated seed file and where it came from (for messages and the report). */
export interface SeedDocument {
  source: string;
  seed: SeedFile;
}

/** Load and validate one seed file. */
export async function loadSeedFile(file: string): Promise<SeedDocument> {
  const ext = path.extname(file).toLowerCase();
  if (!(SEED_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ConfigError(`Unsupported seed file type: ${file}`, [], `Use one of: ${SEED_EXTENSIONS.join(', ')}.`);
  }
  return { source: file, seed: parseSeedFile(await readDataFile(file, 'Seed file', 'seed'), file) };
}

function expand(entry: string): string[] {
  if (!fs.existsSync(entry)) throw new ConfigError(`Seed file not found: ${entry}`);
  if (!fs.statSync(entry).isDirectory()) return [entry];
  const files = fs
    .readdirSync(entry)
    .filter((f) => (SEED_EXTENSIONS as readonly string[]).includes(path.extname(f).toLowerCase()) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(entry, f));
  if (files.length === 0) throw new ConfigError(`No seed files in ${entry}`, [], `Expected files ending in ${SEED_EXTENSIONS.join(', ')}.`);
  return files;
}

/** Load seed files and directories (relative paths against cwd), validated; at most one admin block. */
export async function loadSeed(files: string | readonly string[], options: { cwd?: string } = {}): Promise<SeedDocument[]> {
  const cwd = options.cwd ?? process.cwd();
  const list = (typeof files === 'string' ? [files] : [...files]).map((f) => path.resolve(cwd, f));
  if (list.length === 0) throw new ConfigError('No seed file given', [], 'Set seed.file in the config file or pass a file.');
  const docs: SeedDocument[] = [];
  for (const file of list.flatMap(expand)) docs.push(await loadSeedFile(file));
  checkSingleAdmin(docs);
  return docs;
}

export function checkSingleAdmin(docs: readonly SeedDocument[]): void {
  const withAdmin = docs.filter((d) => d.seed.admin);
  if (withAdmin.length > 1) {
    throw new ConfigError('More than one seed file defines admin:', withAdmin.map((d) => d.source), 'Keep the admin block in one file.');
  }
}
