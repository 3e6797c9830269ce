/**
 * The engine-specific bits seeding needs, and nothing more: identifier quoting, placeholders and
 * table references. Each engine implements this in src/engines/<name>/seed.ts; everything else in
 * src/seed/ is engine-neutral (portable SELECT, then INSERT or UPDATE, inside one transaction).
 */
import type { EngineName } from '../core/url.js';
import { mysqlSeedDialect } from '../engines/mysql/seed.js';
import { postgresSeedDialect } from '../engines/postgres/seed.js';
import { sqliteSeedDialect } from '../engines/sqlite/seed.js';

export interface SeedDialect {
  /** Quote one identifier (table, column, schema) so that any name is safe in SQL. */
  quoteIdentifier(name: string): string;
  /** The placeholder for the index-th parameter (1-based): `$1` on PostgreSQL, `?` elsewhere. */
  placeholder(index: number): string;
  /** How to name a table of the introspected model in SQL. */
  tableRef(schema: string, name: string): string;
}

export function seedDialectFor(engine: EngineName): SeedDialect {
  switch (engine) {
    case 'sqlite':
      return sqliteSeedDialect;
    case 'postgres':
      return postgresSeedDialect;
    case 'mysql':
      return mysqlSeedDialect;
  }
}
