/** Seeding's SQL dialect for SQLite: "double-quoted" identifiers, `?` placeholders, one schema. */
import type { SeedDialect } from '../../seed/dialect.js';

export const sqliteSeedDialect: SeedDialect = {
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  placeholder: () => '?',
  // SQLite's model has one schema (main); the bare name is what every statement means.
  tableRef: (_schema, name) => sqliteSeedDialect.quoteIdentifier(name),
};
