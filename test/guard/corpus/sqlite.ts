import type { CorpusCase } from './types.js';

/** SQLite tables the corpus uses, so that SQLite itself can compile the statements and give its opinion. */
export const SQLITE_SCHEMA = `
  CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, status TEXT, score INTEGER, x INTEGER, a INTEGER, created_at TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), status TEXT, total REAL, created_at TEXT);
  CREATE TABLE sessions (id INTEGER PRIMARY KEY, expires_at TEXT);
  CREATE TABLE archive (id INTEGER, user_id INTEGER, status TEXT, total REAL, created_at TEXT);
  CREATE TABLE staging (id INTEGER PRIMARY KEY, name TEXT, email TEXT, status TEXT, score INTEGER, x INTEGER, a INTEGER, created_at TEXT);
  CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);
  CREATE INDEX users_email ON users (email);
  CREATE VIEW active_users AS SELECT * FROM users WHERE status = 'active';
  CREATE TRIGGER audit_users AFTER UPDATE ON users BEGIN SELECT 1; END;
`;

/** SQLite 3: harmless and destructive statements, including the tricky ones of issue 5. */
export const SQLITE_CORPUS: CorpusCase[] = [
  // ---- reads
  { sql: 'SELECT 1', classes: 'read', kind: 'SELECT' },
  { sql: 'SELECT * FROM users WHERE id = 42', classes: 'read' },
  { sql: "SELECT u.id, count(*) FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.status = 'active' GROUP BY u.id HAVING count(*) > 1 ORDER BY u.id LIMIT 10 OFFSET 5", classes: 'read' },
  { sql: 'WITH r AS (SELECT * FROM orders WHERE total > 5) SELECT * FROM r', classes: 'read' },
  { sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT * FROM n', classes: 'read' },
  { sql: 'SELECT * FROM "users" WHERE [name] = \'x\' AND `email` LIKE \'%@x.com\'', classes: 'read' },
  { sql: '/* DROP TABLE users */ SELECT 1', classes: 'read' },
  { sql: '-- DELETE FROM users\nSELECT 1', classes: 'read' },
  { sql: "SELECT 'DROP TABLE users; DELETE FROM orders'", classes: 'read' },
  { sql: "SELECT datetime('now'), lower(name), coalesce(email, ''), json_extract('{}', '$.a') FROM users", classes: 'read' },
  { sql: 'SELECT * FROM users WHERE id IN (SELECT user_id FROM orders)', classes: 'read' },
  { sql: 'SELECT name FROM users UNION SELECT status FROM orders', classes: 'read' },
  { sql: 'EXPLAIN QUERY PLAN SELECT * FROM users', classes: 'read' },
  { sql: 'EXPLAIN DELETE FROM users', classes: 'read', kind: 'EXPLAIN', note: "SQLite's EXPLAIN only compiles" },
  { sql: 'PRAGMA table_info(users)', classes: 'read' },
  { sql: 'PRAGMA foreign_keys', classes: 'read' },
  { sql: 'PRAGMA foreign_keys = ON', classes: 'read' },
  { sql: 'PRAGMA integrity_check', classes: 'read' },
  { sql: 'PRAGMA busy_timeout = 5000', classes: 'read' },
  { sql: 'BEGIN', classes: 'read', transactionControl: 'begin' },
  { sql: 'BEGIN IMMEDIATE', classes: 'read', transactionControl: 'begin' },
  { sql: 'COMMIT', classes: 'read', transactionControl: 'commit' },
  { sql: 'END', classes: 'read', transactionControl: 'commit' },
  { sql: 'ROLLBACK', classes: 'read', transactionControl: 'rollback' },
  { sql: 'SAVEPOINT s1', classes: 'read', transactionControl: 'savepoint' },
  { sql: 'RELEASE s1', classes: 'read', transactionControl: 'release' },
  { sql: 'ROLLBACK TO s1', classes: 'read', transactionControl: 'rollback' },
  { sql: 'DETACH DATABASE other', classes: 'read', note: 'DETACH only closes the attached file' },
  { sql: 'VALUES (1), (2)', classes: 'read' },

  // ---- writes
  { sql: "INSERT INTO users (name) VALUES ('a'), ('b')", classes: 'write', kind: 'INSERT', targets: [{ name: 'users', action: 'insert' }] },
  { sql: 'INSERT INTO archive SELECT * FROM orders WHERE created_at < date(\'now\')', classes: 'write' },
  { sql: "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = excluded.name", classes: 'write', rowBounded: true },
  { sql: "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT DO NOTHING", classes: 'write', rowBounded: false },
  { sql: "INSERT OR REPLACE INTO users (id, name) VALUES (1, 'a')", classes: 'write', rowBounded: true, note: 'REPLACE deletes the row it replaces' },
  { sql: "REPLACE INTO users (id, name) VALUES (1, 'a')", classes: 'write', rowBounded: true },
  { sql: "INSERT OR IGNORE INTO users (id, name) VALUES (1, 'a')", classes: 'write' },
  { sql: 'INSERT INTO sessions DEFAULT VALUES', classes: 'write' },
  { sql: "UPDATE orders SET status = 'paid' WHERE id = 7", classes: 'write', rowBounded: true, targets: [{ name: 'orders', action: 'update' }] },
  { sql: "UPDATE orders SET status = 'paid' WHERE id = 7 RETURNING id", classes: 'write', rowBounded: true },
  { sql: 'DELETE FROM sessions WHERE expires_at < datetime(\'now\')', classes: 'write', rowBounded: true, targets: [{ name: 'sessions', action: 'delete' }] },
  { sql: 'DELETE FROM main.sessions WHERE id = 1', classes: 'write', rowBounded: true, targets: [{ schema: 'main', name: 'sessions', action: 'delete' }] },
  { sql: 'WITH old AS (SELECT id FROM sessions WHERE expires_at < 1) DELETE FROM sessions WHERE id IN (SELECT id FROM old)', classes: 'write', rowBounded: true },
  { sql: 'UPDATE users SET score = s.score FROM staging s WHERE s.id = users.id', classes: 'write', rowBounded: true },
  { sql: 'DELETE FROM users WHERE 0', classes: 'write', rowBounded: true },
  { sql: 'CREATE TABLE t2 (id INTEGER PRIMARY KEY, name TEXT NOT NULL)', classes: 'write', kind: 'CREATE TABLE' },
  { sql: 'CREATE INDEX users_name ON users (name)', classes: 'write' },
  { sql: 'CREATE VIEW v AS SELECT id FROM users', classes: 'write' },
  { sql: 'CREATE VIRTUAL TABLE docs USING fts5(body)', classes: 'write' },
  { sql: 'CREATE TRIGGER touch AFTER UPDATE ON users BEGIN UPDATE users SET score = 0 WHERE id = NEW.id; END', classes: 'write' },
  { sql: 'ALTER TABLE users ADD COLUMN nickname TEXT', classes: 'write' },
  { sql: 'VACUUM', classes: 'write', nonTransactional: true },
  { sql: "VACUUM INTO '/tmp/copy.db'", classes: 'write', nonTransactional: true },
  { sql: 'ANALYZE', classes: 'write' },
  { sql: 'REINDEX users', classes: 'write' },
  { sql: "ATTACH DATABASE '/tmp/other.db' AS other", classes: 'write', note: 'ATTACH may create the file' },
  { sql: 'PRAGMA foreign_keys = OFF', classes: 'write', note: 'turns off enforcement for later statements' },
  { sql: 'PRAGMA user_version = 3', classes: 'write' },
  { sql: 'SELECT my_app_function(id) FROM users', classes: 'write', runsCode: true, note: 'an application-defined function' },

  // ---- destructive
  { sql: 'DROP TABLE users', classes: 'destructive', mentions: ['users'], kind: 'DROP TABLE', targets: [{ objectType: 'table', name: 'users', action: 'drop' }] },
  { sql: 'DROP TABLE IF EXISTS main.orders', classes: 'destructive', mentions: ['orders'] },
  { sql: 'DROP INDEX users_email', classes: 'destructive', mentions: ['users_email'] },
  { sql: 'DROP VIEW active_users', classes: 'destructive', mentions: ['active_users'] },
  { sql: 'DROP TRIGGER audit_users', classes: 'destructive', mentions: ['audit_users'] },
  { sql: 'DELETE FROM users', classes: 'destructive', mentions: ['users'], note: 'SQLite has no TRUNCATE: this is it' },
  { sql: "UPDATE users SET status = 'x'", classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE 1=1', classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE 1', classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE true', classes: 'destructive', mentions: ['users'] },
  { sql: "DELETE FROM users WHERE 'a' = 'a'", classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE id = id', classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE email IS NULL OR email IS NOT NULL', classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE NOT 0', classes: 'destructive', mentions: ['users'] },
  { sql: 'UPDATE users SET a = 1 WHERE x = x AND 2 > 1', classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE id = 3 OR 1 = 1', classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users WHERE id == id', classes: 'destructive', mentions: ['users'] },
  { sql: "DELETE FROM users WHERE name LIKE '%'", classes: 'destructive', mentions: ['users'] },
  { sql: 'DELETE FROM users RETURNING *', classes: 'destructive', mentions: ['users'] },
  { sql: 'WITH x AS (SELECT 1) DELETE FROM users', classes: 'destructive', mentions: ['users'] },
  { sql: 'WITH x AS (SELECT 1) UPDATE users SET a = 2 WHERE 1 = 1', classes: 'destructive', mentions: ['users'] },
  { sql: 'ALTER TABLE users DROP COLUMN email', classes: 'destructive', mentions: ['users', 'email'], targets: [{ objectType: 'column', name: 'users', column: 'email', action: 'drop' }] },
  { sql: 'ALTER TABLE users RENAME TO customers', classes: 'destructive', mentions: ['users'] },
  { sql: 'ALTER TABLE users RENAME COLUMN email TO mail', classes: 'destructive', mentions: ['users', 'email'] },
  { sql: 'PRAGMA writable_schema = ON', classes: 'destructive', mentions: ['writable_schema'] },
  { sql: 'PRAGMA journal_mode = OFF', classes: 'destructive', mentions: ['journal_mode'] },
  { sql: 'PRAGMA schema_version = 1', classes: 'destructive', mentions: ['schema_version'] },
  { sql: "SELECT load_extension('/tmp/evil.so')", classes: 'destructive', mentions: ['load_extension'] },
  { sql: 'CREATE TABLE child (id INTEGER, parent INTEGER REFERENCES users(id) ON DELETE CASCADE)', classes: 'destructive', mentions: ['CASCADE'] },
  { sql: 'CREATE TRIGGER wipe AFTER INSERT ON orders BEGIN DELETE FROM sessions; END', classes: 'destructive', mentions: ['sessions'] },
  { sql: 'SELECT 1; DROP TABLE t', classes: ['read', 'destructive'], mentions: ['t'] },
  { sql: "INSERT INTO staging SELECT * FROM users; DELETE FROM users", classes: ['write', 'destructive'], mentions: ['users'] },
  { sql: 'BEGIN; DELETE FROM users WHERE id = 1; COMMIT', classes: ['read', 'write', 'read'] },

  // ---- fail closed
  { sql: 'DELEET FROM users', classes: 'destructive', kind: 'UNPARSED', mentions: ['parsed'] },
  { sql: 'TRUNCATE TABLE users', classes: 'destructive', kind: 'UNPARSED', note: 'SQLite has no TRUNCATE: it rejects it' },
  { sql: "SELECT 'unterminated", classes: 'destructive', kind: 'UNPARSED' },
  { sql: 'SELECT 1; SELEC 2', classes: ['read', 'destructive'] },
];
