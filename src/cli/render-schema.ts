/** Human rendering of the schema model for `dbward inspect`. JSON output is the model itself. */
import type { Painter } from '../core/output.js';
import type { SchemaModel, Table } from '../schema/model.js';
import { formatBytes } from './format.js';


const qualified = (schema: string, name: string, engine: SchemaModel['engine']) =>
  engine === 'postgres' ? `${schema}.${name}` : name;

function renderTable(t: Table, model: SchemaModel, paint: Painter): string[] {
  const lines: string[] = [];
  const rows = t.stats.rowEstimate === null ? '? rows' : `~${t.stats.rowEstimate} rows`;
  lines.push(`${paint.bold(qualified(t.schema, t.name, model.engine))}  ${paint.dim(`${rows}, ${formatBytes(t.stats.sizeBytes)}`)}`);
  if (t.comment) lines.push(`  -- ${t.comment}`);
  const pk = new Set(t.primaryKey?.columns ?? []);
  const width = Math.max(...t.columns.map((c) => c.name.length), 4);
  for (const c of t.columns) {
    const flags = [
      pk.has(c.name) ? 'PK' : '',
      c.autoIncrement ? 'auto' : '',
      c.nullable ? 'null' : 'not null',
      c.default !== null ? `default ${c.default}` : '',
      c.generated !== null ? `generated ${c.generated}` : '',
    ].filter(Boolean);
    lines.push(`  ${c.name.padEnd(width)}  ${c.type}  ${paint.dim(flags.join(', '))}`);
  }
  if (t.primaryKey) lines.push(`  primary key (${t.primaryKey.columns.join(', ')})${t.primaryKey.name ? ` ${paint.dim(t.primaryKey.name)}` : ''}`);
  for (const u of t.uniqueConstraints) lines.push(`  unique ${u.name} (${u.columns.join(', ')})`);
  for (const fk of t.foreignKeys) {
    const ref = qualified(fk.referencedSchema, fk.referencedTable, model.engine);
    lines.push(`  foreign key (${fk.columns.join(', ')}) → ${ref} (${fk.referencedColumns.join(', ')}) on delete ${fk.onDelete.toLowerCase()}, on update ${fk.onUpdate.toLowerCase()}${fk.name ? ` ${paint.dim(fk.name)}` : ''}`);
  }
  for (const i of t.indexes.filter((i) => !i.backsConstraint)) {
    lines.push(`  ${i.unique ? 'unique ' : ''}index ${i.name} (${i.columns.join(', ')})${i.method !== 'btree' ? ` using ${i.method}` : ''}${i.where ? ` where ${i.where}` : ''}`);
  }
  for (const c of t.checks) lines.push(`  check ${c.name ? `${c.name} ` : ''}${c.expression}`);
  for (const tr of t.triggers) lines.push(`  trigger ${tr.name} ${tr.timing} ${tr.events.join(' or ')} for each ${tr.level.toLowerCase()}`);
  if (t.rowLevelSecurity) {
    const rls = t.rowLevelSecurity;
    lines.push(`  row-level security ${rls.enabled ? 'enabled' : 'disabled'}${rls.forced ? ', forced' : ''}`);
    for (const p of rls.policies) {
      lines.push(`    policy ${p.name} ${p.kind.toLowerCase()} for ${p.command.toLowerCase()} to ${p.roles.join(', ')}${p.using ? ` using (${p.using})` : ''}${p.withCheck ? ` with check (${p.withCheck})` : ''}`);
    }
  }
  return lines;
}

export function renderSchema(model: SchemaModel, paint: Painter): string {
  const out: string[] = [`${model.engine} ${model.serverVersion} — ${model.database}`, `fingerprint ${model.fingerprint}`, ''];
  out.push(paint.bold(`Tables (${model.tables.length})`), '');
  for (const t of model.tables) out.push(...renderTable(t, model, paint), '');
  if (model.views.length) {
    out.push(paint.bold(`Views (${model.views.length})`));
    for (const v of model.views) out.push(`  ${v.materialized ? 'materialized ' : ''}${qualified(v.schema, v.name, model.engine)} (${v.columns.join(', ')})`);
    out.push('');
  }
  if (model.sequences.length) {
    out.push(paint.bold(`Sequences (${model.sequences.length})`));
    for (const s of model.sequences) out.push(`  ${qualified(s.schema, s.name, model.engine)} ${s.type} start ${s.start} increment ${s.increment}${s.ownedBy ? ` owned by ${s.ownedBy}` : ''}`);
    out.push('');
  }
  if (model.enums.length) {
    out.push(paint.bold(`Enums (${model.enums.length})`));
    for (const e of model.enums) out.push(`  ${qualified(e.schema, e.name, model.engine)}: ${e.values.join(', ')}`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}
