/**
 * Human rendering of a schema diff, one line per difference:
 *   + table public.audit
 *   - column public.users.nickname
 *   ~ column public.users.email: type varchar(100) → text; nullable: false → true
 *   + public.users index users_email_idx
 * Objects attached to a table already name their kind in the path (`public.users index …`), so the kind
 * is not repeated in front. The JSON form is the SchemaDifference array itself.
 */
import type { DifferenceKind, SchemaDifference, SchemaObjectKind } from './diff.js';

const SIGN: Record<DifferenceKind, string> = { added: '+', removed: '-', changed: '~' };

const STANDALONE = new Set<SchemaObjectKind>(['schema', 'table', 'column', 'view', 'sequence', 'enum']);

export function renderDifference(d: SchemaDifference): string {
  const subject = STANDALONE.has(d.object) ? `${d.object} ${d.path}` : d.path;
  // "type: a → b" reads as "type a → b" after the colon that introduces the details.
  const details = d.details?.length ? `: ${d.details.map((x) => x.replace(/^([^:]+): /, '$1 ')).join('; ')}` : '';
  return `${SIGN[d.kind]} ${subject}${details}`;
}

/** All differences, one per line; '' when there are none. */
export function renderDiff(differences: SchemaDifference[]): string {
  return differences.map(renderDifference).join('\n');
}
