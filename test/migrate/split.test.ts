import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/migrate/split.js';

const sqls = (script: string, dialect: Parameters<typeof splitStatements>[1]) => splitStatements(script, dialect).map((s) => s.sql);

describe('splitStatements', () => {
  it('splits on semicolons outside strings, identifiers and comments, dropping leading comments', () => {
    const script = `-- CreateTable
CREATE TABLE "a;b" (x TEXT DEFAULT 'semi;colon', y TEXT DEFAULT 'it''s');
/* a; comment */ INSERT INTO t VALUES ('--not a comment');

;
SELECT 1`;
    expect(sqls(script, 'postgres')).toEqual([
      `CREATE TABLE "a;b" (x TEXT DEFAULT 'semi;colon', y TEXT DEFAULT 'it''s')`,
      `INSERT INTO t VALUES ('--not a comment')`,
      'SELECT 1',
    ]);
    expect(splitStatements(script, 'postgres').map((s) => s.line)).toEqual([2, 3, 6]);
  });

  it('keeps PostgreSQL dollar-quoted bodies, E-strings, nested comments and BEGIN ATOMIC whole', () => {
    const script = `CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN NEW.a := 1; RETURN NEW; END $body$;
SELECT E'back\\'slash;';
/* outer /* inner; */ still comment; */ SELECT $$a;b$$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
SELECT $1::int;`;
    expect(sqls(script, 'postgres')).toHaveLength(5);
    expect(sqls(script, 'postgres')[3]).toMatch(/^CREATE FUNCTION g\(\).*END$/s);
  });

  it('knows MySQL: backslash escapes, # and "-- " comments, DELIMITER, BEGIN…END bodies and END IF/CASE', () => {
    const script = `INSERT INTO t VALUES ('a\\';b', "c;d"); # comment; here
-- comment;
SELECT 1--1;
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW
BEGIN
  IF NEW.a > 1 THEN SET NEW.b = 1; END IF;
  CASE NEW.c WHEN 1 THEN SET NEW.d = 2; ELSE SET NEW.d = 3; END CASE;
  lbl: LOOP LEAVE lbl; END LOOP lbl;
END;
DELIMITER //
CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //
DELIMITER ;
SELECT \`weird;name\` FROM t;
/*!40101 SET NAMES utf8mb4 */;`;
    const out = sqls(script, 'mysql');
    expect(out).toHaveLength(6);
    expect(out[1]).toBe('SELECT 1--1');
    expect(out[2]).toMatch(/^CREATE TRIGGER trg[\s\S]*END$/);
    expect(out[3]).toBe('CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END');
    expect(out[5]).toBe('/*!40101 SET NAMES utf8mb4 */');
  });

  it('keeps SQLite trigger bodies and [bracketed] identifiers whole; BEGIN TRANSACTION is its own statement', () => {
    const script = `BEGIN TRANSACTION;
CREATE TABLE [x;y] (a);
CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE x SET a = CASE WHEN 1 THEN 2 END; DELETE FROM x WHERE 0; END;
COMMIT;`;
    expect(sqls(script, 'sqlite')).toEqual([
      'BEGIN TRANSACTION',
      'CREATE TABLE [x;y] (a)',
      'CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE x SET a = CASE WHEN 1 THEN 2 END; DELETE FROM x WHERE 0; END',
      'COMMIT',
    ]);
  });

  it('finds no statements in a script of comments', () => {
    expect(splitStatements('-- nothing\n/* here */\n', 'postgres')).toEqual([]);
    expect(splitStatements('# nothing\n', 'mysql')).toEqual([]);
  });
});
