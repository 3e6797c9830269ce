/**
 * Read a data file a user writes: JSON, YAML, or a TS/JS module (loaded with jiti, no build step).
 * Used for the config file and seed files; errors are ConfigErrors that name the file and say what
 * is wrong with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, errorMessage } from './errors.js';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/**
 * `what` names the file in messages ("Config file", "Seed file"). A module's default export is the
 * data, else the named export `namedExport` when given, else the module itself.
 */
export async function readDataFile(file: string, what: string, namedExport?: string): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (MODULE_EXTENSIONS.has(ext)) {
    // jiti loads only for module files: importing it cost every command ≈ 0.1 s of start-up.
    const { createJiti } = await import('jiti');
    let mod: unknown;
    try {
      mod = await createJiti(import.meta.url, { moduleCache: false, fsCache: false }).import(file);
    } catch (err) {
      throw new ConfigError(`Cannot load ${what.toLowerCase()} ${file}: ${errorMessage(err).split('\n')[0]}`);
    }
    if (mod && typeof mod === 'object') {
      if ('default' in mod) return (mod as { default: unknown }).default;
      if (namedExport && namedExport in mod) return (mod as Record<string, unknown>)[namedExport];
    }
    return mod;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read ${what.toLowerCase()} ${file}: ${errorMessage(err)}`);
  }
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${what} ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${errorMessage(err).split('\n')[0]}`);
  }
}
