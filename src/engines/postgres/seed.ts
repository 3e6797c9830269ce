/** Seeding's SQL dialect for PostgreSQL: "double-quoted" identifiers, `$n` placeholders, schema-qualified tables. */
import type { SeedDialect } from '../../seed/dialect.js';

export const postgresSeedDialect: SeedDialect = {
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  placeholder: (index) => `$${index}`,
  tableRef: (schema, name) => `${postgresSeedDialect.quoteIdentifier(schema)}.${postgresSeedDialect.quoteIdentifier(name)}`,
};
