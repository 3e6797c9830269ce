/**
 * A strict recursive-descent parser for the everyday subset of SQL that MySQL and SQLite share:
 * SELECT (joins, subqueries, GROUP BY/HAVING/ORDER BY/LIMIT), INSERT … VALUES/SELECT (with upserts),
 * single-table UPDATE and DELETE, with expressions made of literals, columns, operators and
 * a short list of harmless built-in functions. It reads the lexer's tokens (src/migrate/lint/lexer.ts,
 * which knows each dialect's strings and comments).
 *
 * It exists for speed: node-sql-parser rebuilds its whole grammar on every call (~50-300 µs per
 * statement), too slow for the ≥ 20,000 statements/s the gate must classify. It can never make a
 * statement look harmless: it accepts a statement only when it has read every token of it with this
 * grammar (anything else — an unknown word, function, operator or clause — returns undefined and
 * the statement goes to the full parser), and the verdict comes from the same rules (verdict.ts) the
 * full parsers use. Tests check that both paths agree on every corpus statement the subset accepts.
 */
import type { Token } from '../../migrate/lint/lexer.js';
import { col, lit, OPAQUE } from './expr.js';
import type { CmpOp, Expr } from './expr.js';
import { Verdict, classifyDelete, classifyInsert, classifyUpdate, tableRef } from './verdict.js';
import type { TableRef } from './verdict.js';

export interface SimpleDialect {
  mysql: boolean;
}

/** Functions the subset accepts: pure built-ins of both engines (anything else goes to the full parser). */
const HARMLESS = new Set([
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'LOWER', 'UPPER', 'LENGTH', 'COALESCE', 'IFNULL', 'NULLIF', 'ABS', 'ROUND', 'SUBSTR', 'SUBSTRING',
  'TRIM', 'LTRIM', 'RTRIM', 'INSTR', 'HEX', 'TYPEOF', 'DATE', 'DATETIME', 'STRFTIME', 'JULIANDAY', 'NOW', 'CONCAT', 'CONCAT_WS', 'CHAR_LENGTH',
  'GROUP_CONCAT', 'JSON_EXTRACT', 'UNIX_TIMESTAMP', 'GREATEST', 'LEAST', 'MD5', 'UUID', 'RANDOM', 'RAND', 'FLOOR', 'CEIL', 'CEILING', 'DATE_FORMAT',
  'YEAR', 'MONTH', 'DAY', 'UTC_TIMESTAMP', 'CURDATE', 'JSON_OBJECT', 'JSON_ARRAY', 'UNIXEPOCH', 'PRINTF', 'FORMAT', 'SIGN', 'MOD',
]);
/** Functions one of the two engines does not have: only in that engine's subset. */
const MYSQL_ONLY = new Set(['NOW', 'CONCAT', 'CONCAT_WS', 'CHAR_LENGTH', 'UNIX_TIMESTAMP', 'GREATEST', 'LEAST', 'MD5', 'UUID', 'RAND', 'FLOOR', 'CEIL', 'CEILING', 'DATE_FORMAT', 'YEAR', 'MONTH', 'DAY', 'UTC_TIMESTAMP', 'CURDATE', 'JSON_OBJECT', 'JSON_ARRAY', 'FORMAT', 'SIGN', 'MOD']);
const SQLITE_ONLY = new Set(['TYPEOF', 'DATETIME', 'STRFTIME', 'JULIANDAY', 'RANDOM', 'UNIXEPOCH', 'PRINTF']);

/** Words that are never identifiers in the subset (a statement using one as a name goes to the full parser). */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'BETWEEN', 'AS',
  'ON', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'OUTER', 'FULL', 'NATURAL', 'USING', 'UNION', 'INTERSECT', 'EXCEPT', 'INTO', 'VALUES', 'VALUE',
  'SET', 'UPDATE', 'DELETE', 'INSERT', 'REPLACE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'EXISTS', 'DISTINCT', 'ALL', 'FOR', 'LOCK', 'TRUE',
  'FALSE', 'ASC', 'DESC', 'ESCAPE', 'COLLATE', 'REGEXP', 'RLIKE', 'GLOB', 'MATCH', 'XOR', 'DIV', 'MOD', 'WINDOW', 'OVER', 'PARTITION', 'RETURNING',
  'WITH', 'DUPLICATE', 'IGNORE', 'INTERVAL', 'BINARY', 'SOUNDS', 'STRAIGHT_JOIN', 'PROCEDURE', 'HIGH_PRIORITY', 'LOW_PRIORITY', 'DELAYED', 'QUICK',
  'SQL_CALC_FOUND_ROWS', 'OUTFILE', 'DUMPFILE', 'CONFLICT', 'DO', 'NOTHING', 'DEFAULT', 'INDEXED', 'INDEX', 'FORCE', 'USE', 'KEY', 'ROW', 'ROWS',
  'TABLE', 'RECURSIVE', 'MATERIALIZED', 'SHARE', 'MODE', 'NOWAIT', 'SKIP', 'OF', 'CAST', 'CONVERT', 'CURRENT_DATE', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'CURRENT_USER', 'LOCALTIME', 'LOCALTIMESTAMP', 'ANY', 'SOME', 'UNIQUE', 'PRIMARY', 'CHECK', 'REFERENCES', 'CONSTRAINT',
  'DROP', 'ALTER', 'CREATE', 'TRUNCATE', 'RENAME', 'GRANT', 'REVOKE', 'CALL', 'EXECUTE', 'PREPARE', 'TEMPORARY', 'TEMP', 'VIEW', 'TRIGGER',
  'ROLLUP', 'CUBE', 'FETCH', 'FIRST', 'NEXT', 'ONLY', 'TOP', 'MEMBER', 'ISNULL', 'NOTNULL', 'RAISE', 'ABORT', 'FAIL', 'ROLLBACK',
]);

class Bail extends Error {}

const CMP_OPS: Record<string, CmpOp> = { '=': '=', '==': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

export class SimpleParser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly dialect: SimpleDialect,
  ) {}

  // ---- token helpers

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.upper === word;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) throw new Bail();
  }

  /** An operator made of adjacent punctuation tokens (`<=`, `<>`, `!=`, `==`, `<=>`). */
  private op(): string | undefined {
    const t = this.peek();
    if (!t || t.kind !== 'punct') return undefined;
    let text = t.text;
    let n = 1;
    while (n < 3) {
      const next = this.peek(n);
      const prev = this.peek(n - 1);
      if (!next || !prev || next.kind !== 'punct' || next.start !== prev.end || !'<>=!'.includes(next.text)) break;
      text += next.text;
      n++;
    }
    return text;
  }

  private isPunct(ch: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === ch;
  }

  private acceptPunct(ch: string): boolean {
    if (!this.isPunct(ch)) return false;
    this.i++;
    return true;
  }

  private expectPunct(ch: string): void {
    if (!this.acceptPunct(ch)) throw new Bail();
  }

  private atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  private identifier(): string {
    const t = this.peek();
    if (!t) throw new Bail();
    if (t.kind === 'word') {
      if (RESERVED.has(t.upper)) throw new Bail();
      this.i++;
      return t.text;
    }
    if (t.kind === 'quoted') {
      this.i++;
      const quote = t.text[0] === '[' ? ']' : (t.text[0] as string);
      return t.text.slice(1, -1).replaceAll(quote + quote, quote);
    }
    throw new Bail();
  }

  private isIdentifier(offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && ((t.kind === 'word' && !RESERVED.has(t.upper)) || t.kind === 'quoted');
  }

  private tableName(): TableRef {
    const first = this.identifier();
    if (this.acceptPunct('.')) return tableRef(this.identifier(), first);
    return tableRef(first);
  }

  private alias(): void {
    if (this.acceptWord('AS')) {
      this.identifier();
      return;
    }
    if (this.isIdentifier()) this.identifier();
  }

  // ---- statements

  /** Index of the next unread token. */
  get position(): number {
    return this.i;
  }

  parse(): Verdict | undefined {
    try {
      const v = this.statement();
      return this.atEnd() ? v : undefined;
    } catch (error) {
      if (error instanceof Bail) return undefined;
      throw error;
    }
  }

  private statement(): Verdict {
    if (this.isWord('WITH')) this.withClause();
    if (this.isWord('SELECT')) {
      this.select(true);
      return new Verdict('SELECT');
    }
    if (this.isWord('INSERT') || (this.isWord('REPLACE') && this.peek(1)?.upper === 'INTO')) return this.insert();
    if (this.isWord('UPDATE')) return this.update();
    if (this.isWord('DELETE')) return this.delete();
    throw new Bail();
  }

  /** WITH name [(cols)] AS (SELECT …), … — CTEs that only read (a data-modifying CTE is not in the subset). */
  private withClause(): void {
    this.expectWord('WITH');
    if (this.acceptWord('RECURSIVE')) throw new Bail();
    do {
      this.identifier();
      if (this.acceptPunct('(')) {
        do this.identifier();
        while (this.acceptPunct(','));
        this.expectPunct(')');
      }
      this.expectWord('AS');
      this.expectPunct('(');
      this.select(false);
      this.expectPunct(')');
    } while (this.acceptPunct(','));
  }

  private select(top: boolean): void {
    this.expectWord('SELECT');
    if (!this.acceptWord('DISTINCT')) this.acceptWord('ALL');
    do this.selectItem();
    while (this.acceptPunct(','));
    if (this.acceptWord('FROM')) this.tableRefs();
    if (this.acceptWord('WHERE')) this.expr();
    if (this.acceptWord('GROUP')) {
      this.expectWord('BY');
      this.exprList();
      if (this.acceptWord('HAVING')) this.expr();
    }
    this.orderLimit(true);
    if (top && this.dialect.mysql) {
      if (this.acceptWord('FOR')) {
        if (!this.acceptWord('UPDATE')) this.expectWord('SHARE');
      } else if (this.acceptWord('LOCK')) {
        this.expectWord('IN');
        this.expectWord('SHARE');
        this.expectWord('MODE');
      }
    }
  }

  private orderLimit(offsetAllowed: boolean): void {
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do {
        this.expr();
        if (!this.acceptWord('ASC')) this.acceptWord('DESC');
      } while (this.acceptPunct(','));
    }
    if (this.acceptWord('LIMIT')) {
      this.number();
      if (offsetAllowed) {
        if (this.acceptWord('OFFSET') || this.acceptPunct(',')) this.number();
      }
    }
  }

  private number(): number {
    const t = this.peek();
    if (!t || t.kind !== 'number' || !/^\d+$/.test(t.text)) throw new Bail();
    this.i++;
    return Number(t.text);
  }

  private selectItem(): void {
    if (this.acceptPunct('*')) return;
    if (this.isIdentifier() && this.peek(1)?.text === '.' && this.peek(2)?.text === '*') {
      this.i += 3;
      return;
    }
    this.expr();
    this.alias();
  }

  private tableRefs(): void {
    this.tableFactor();
    for (;;) {
      if (this.acceptPunct(',')) {
        this.tableFactor();
        continue;
      }
      if (this.acceptWord('CROSS')) {
        this.expectWord('JOIN');
        this.tableFactor();
        continue;
      }
      let join = false;
      if (this.acceptWord('INNER')) join = true;
      else if (this.acceptWord('LEFT') || (this.dialect.mysql && this.acceptWord('RIGHT'))) {
        this.acceptWord('OUTER');
        join = true;
      }
      if (join || this.isWord('JOIN')) {
        this.expectWord('JOIN');
        this.tableFactor();
        if (this.acceptWord('ON')) this.expr();
        else if (this.acceptWord('USING')) {
          this.expectPunct('(');
          do this.identifier();
          while (this.acceptPunct(','));
          this.expectPunct(')');
        } else throw new Bail();
        continue;
      }
      return;
    }
  }

  private tableFactor(): void {
    if (this.acceptPunct('(')) {
      this.select(false);
      this.expectPunct(')');
      this.alias();
      return;
    }
    this.tableName();
    this.alias();
  }

  private insert(): Verdict {
    const replace = this.acceptWord('REPLACE');
    if (!replace) {
      this.expectWord('INSERT');
      if (this.dialect.mysql) this.acceptWord('IGNORE');
    }
    this.expectWord('INTO');
    const table = this.tableName();
    if (!this.dialect.mysql && this.isWord('AS')) {
      this.i++;
      this.identifier();
    }
    if (this.acceptPunct('(')) {
      do this.identifier();
      while (this.acceptPunct(','));
      this.expectPunct(')');
    }
    if (this.acceptWord('VALUES')) {
      do {
        this.expectPunct('(');
        this.exprList();
        this.expectPunct(')');
      } while (this.acceptPunct(','));
    } else if (this.isWord('SELECT')) {
      this.select(false);
    } else throw new Bail();
    let overwrite: string | undefined = replace ? 'REPLACE (deletes the rows it replaces)' : undefined;
    if (this.dialect.mysql && this.acceptWord('ON')) {
      this.expectWord('DUPLICATE');
      this.expectWord('KEY');
      this.expectWord('UPDATE');
      this.assignments();
      overwrite = 'INSERT … ON DUPLICATE KEY UPDATE';
    } else if (!this.dialect.mysql && this.acceptWord('ON')) {
      this.expectWord('CONFLICT');
      if (this.acceptPunct('(')) {
        do this.identifier();
        while (this.acceptPunct(','));
        this.expectPunct(')');
        if (this.acceptWord('WHERE')) this.expr();
      }
      this.expectWord('DO');
      if (!this.acceptWord('NOTHING')) {
        this.expectWord('UPDATE');
        this.expectWord('SET');
        this.assignments();
        if (this.acceptWord('WHERE')) this.expr();
        overwrite = 'INSERT … ON CONFLICT DO UPDATE';
      }
    }
    this.returning();
    return classifyInsert(new Verdict(replace ? 'REPLACE' : 'INSERT'), [table], overwrite);
  }

  private returning(): void {
    if (this.dialect.mysql || !this.acceptWord('RETURNING')) return;
    do this.selectItem();
    while (this.acceptPunct(','));
  }

  private assignments(): void {
    do {
      this.identifier();
      if (this.acceptPunct('.')) this.identifier();
      this.expectPunct('=');
      this.expr();
    } while (this.acceptPunct(','));
  }

  private update(): Verdict {
    this.expectWord('UPDATE');
    const table = this.tableName();
    this.alias();
    this.expectWord('SET');
    this.assignments();
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    if (this.dialect.mysql) this.orderLimit(false);
    this.returning();
    return classifyUpdate(new Verdict('UPDATE'), [table], where);
  }

  private delete(): Verdict {
    this.expectWord('DELETE');
    this.expectWord('FROM');
    const table = this.tableName();
    if (!this.dialect.mysql && this.acceptWord('AS')) this.identifier();
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    if (this.dialect.mysql) this.orderLimit(false);
    this.returning();
    return classifyDelete(new Verdict('DELETE'), [table], where);
  }

  // ---- expressions

  private exprList(): Expr[] {
    const list: Expr[] = [];
    do list.push(this.expr());
    while (this.acceptPunct(','));
    return list;
  }

  expr(): Expr {
    const args = [this.and()];
    while (this.acceptWord('OR')) args.push(this.and());
    if (this.isPunct('|') || this.isPunct('&')) throw new Bail();
    return args.length === 1 ? (args[0] as Expr) : { k: 'or', args };
  }

  private and(): Expr {
    const args = [this.not()];
    while (this.acceptWord('AND')) args.push(this.not());
    return args.length === 1 ? (args[0] as Expr) : { k: 'and', args };
  }

  private not(): Expr {
    if (this.acceptWord('NOT')) return { k: 'not', arg: this.not() };
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.additive();
    const op = this.op();
    if (op !== undefined) {
      if (op === '<=>' && this.dialect.mysql) {
        this.i += 3;
        return { k: 'cmp', op: 'notdistinct', l: left, r: this.additive() };
      }
      const cmp = CMP_OPS[op];
      if (cmp && (op !== '==' || !this.dialect.mysql)) {
        this.i += op.length;
        return { k: 'cmp', op: cmp, l: left, r: this.additive() };
      }
      if ('<>=!'.includes(op[0] as string)) throw new Bail();
    }
    if (this.acceptWord('IS')) {
      const neg = this.acceptWord('NOT');
      if (this.acceptWord('NULL')) return { k: 'null', arg: left, neg };
      if (this.acceptWord('TRUE')) return { k: 'is', arg: left, value: true, neg };
      if (this.acceptWord('FALSE')) return { k: 'is', arg: left, value: false, neg };
      throw new Bail();
    }
    const neg = this.isWord('NOT') && (this.isWord('LIKE', 1) || this.isWord('IN', 1) || this.isWord('BETWEEN', 1));
    if (neg) this.i++;
    if (this.acceptWord('LIKE')) {
      const pattern = this.additive();
      if (this.isWord('ESCAPE')) throw new Bail();
      return { k: 'like', arg: left, pattern, neg };
    }
    if (this.acceptWord('IN')) {
      this.expectPunct('(');
      if (this.isWord('SELECT')) {
        this.select(false);
        this.expectPunct(')');
        return OPAQUE;
      }
      const list = this.exprList();
      this.expectPunct(')');
      return { k: 'in', arg: left, list, neg };
    }
    if (this.acceptWord('BETWEEN')) {
      const lo = this.additive();
      this.expectWord('AND');
      const hi = this.additive();
      return { k: 'between', arg: left, lo, hi, neg };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'punct' && (t.text === '+' || t.text === '-')) {
        this.i++;
        left = { k: 'arith', op: t.text, l: left, r: this.multiplicative() };
      } else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'punct' && (t.text === '*' || t.text === '/' || t.text === '%')) {
        this.i++;
        left = { k: 'arith', op: t.text, l: left, r: this.unary() };
      } else return left;
    }
  }

  private unary(): Expr {
    if (this.acceptPunct('-')) return { k: 'neg', arg: this.unary() };
    if (this.acceptPunct('+')) return this.unary();
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) throw new Bail();
    if (t.kind === 'number') {
      if (!/^(\d+\.?\d*|\.\d+)(e\d+)?$/i.test(t.text)) throw new Bail();
      this.i++;
      return lit(Number(t.text));
    }
    if (t.kind === 'string') {
      if (t.text[0] !== "'") throw new Bail(); // MySQL "…" may be an identifier (ANSI_QUOTES)
      this.i++;
      return lit(this.stringValue(t.text));
    }
    if (t.kind === 'punct') {
      if (t.text === '(') {
        this.i++;
        if (this.isWord('SELECT')) {
          this.select(false);
          this.expectPunct(')');
          return OPAQUE;
        }
        const e = this.expr();
        this.expectPunct(')');
        return e;
      }
      throw new Bail();
    }
    if (t.kind === 'word') {
      switch (t.upper) {
        case 'NULL': this.i++; return lit(null);
        case 'TRUE': this.i++; return lit(true);
        case 'FALSE': this.i++; return lit(false);
        case 'CURRENT_DATE':
        case 'CURRENT_TIMESTAMP':
        case 'CURRENT_TIME': this.i++; return OPAQUE;
        case 'EXISTS': {
          this.i++;
          this.expectPunct('(');
          this.select(false);
          this.expectPunct(')');
          return OPAQUE;
        }
        case 'CASE': return this.caseExpr();
        default: break;
      }
      if (this.peek(1)?.text === '(' && this.peek(1)?.start === t.end) return this.call(t);
    }
    // column: [table.]column or db.table.column
    // Qualified as written: a.id = b.id (a join) is not id = id.
    let name = this.identifier();
    let parts = 1;
    while (this.isPunct('.') && parts < 3) {
      this.i++;
      name += `.${this.identifier()}`;
      parts++;
    }
    return col(name);
  }

  private call(t: Token): Expr {
    const name = t.upper;
    if (!HARMLESS.has(name) || (this.dialect.mysql ? SQLITE_ONLY.has(name) : MYSQL_ONLY.has(name))) throw new Bail();
    this.i += 2;
    const args: Expr[] = [];
    if (this.acceptPunct('*')) {
      if (name !== 'COUNT') throw new Bail();
    } else if (!this.isPunct(')')) {
      this.acceptWord('DISTINCT');
      args.push(...this.exprList());
    }
    this.expectPunct(')');
    if (this.isWord('OVER') || this.isWord('FILTER')) throw new Bail();
    return { k: 'fn', name: name.toLowerCase(), args };
  }

  private caseExpr(): Expr {
    this.expectWord('CASE');
    if (!this.isWord('WHEN')) this.expr();
    do {
      this.expectWord('WHEN');
      this.expr();
      this.expectWord('THEN');
      this.expr();
    } while (this.isWord('WHEN'));
    if (this.acceptWord('ELSE')) this.expr();
    this.expectWord('END');
    return OPAQUE;
  }

  private stringValue(text: string): string {
    const inner = text.slice(1, -1);
    if (!this.dialect.mysql) return inner.replaceAll("''", "'");
    return inner.replace(/''/g, "'").replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[c] ?? c);
  }
}

/** Classifies a statement with the subset grammar; undefined when it is not (entirely) in the subset. */
export function classifySimple(tokens: Token[], dialect: SimpleDialect): Verdict | undefined {
  const first = tokens[0]?.upper;
  if (first !== 'SELECT' && first !== 'INSERT' && first !== 'UPDATE' && first !== 'DELETE' && first !== 'REPLACE' && first !== 'WITH') return undefined;
  return new SimpleParser(tokens, dialect).parse();
}

/** Reads a WHERE expression from tokens with the subset grammar (used where the full parsers lack a statement form). */
export function parseSimpleExpr(tokens: Token[], dialect: SimpleDialect): Expr | undefined {
  const parser = new SimpleParser(tokens, dialect);
  try {
    const e = parser.expr();
    return parser.position === tokens.length ? e : undefined;
  } catch (error) {
    if (error instanceof Bail) return undefined;
    throw error;
  }
}
