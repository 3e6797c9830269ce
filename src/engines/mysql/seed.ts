/** Seeding's SQL dialect for MySQL/MariaDB: `backtick` identifiers, `?` placeholders, database-qualified tables. */
import type { SeedDialect } from '../../seed/dialect.js';

export const mysqlSeedDialect: SeedDialect = {
  quoteIdentifier: (name) => `\`${name.replace(/`/g, '``')}\``,
  placeholder: () => '?',
  tableRef: (schema, name) => `${mysqlSeedDialect.quoteIdentifier(schema)}.${mysqlSeedDialect.quoteIdentifier(name)}`,
};
