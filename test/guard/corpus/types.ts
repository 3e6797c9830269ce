/**
 * The classification corpus: statements per dialect with the class they must get. Data only, so
 * that a case is one line to add. `classes` lists one class per statement of `sql` (a single class
 * for a single statement); `mentions` are words every destructive statement's reasons must contain
 * (the object at risk).
 */
import type { StatementClass, StatementTarget } from '../../../src/guard/classify/types.js';

export interface CorpusCase {
  sql: string;
  classes: StatementClass | StatementClass[];
  /** Words (case-insensitive) that the reasons of the destructive statements must contain. */
  mentions?: string[];
  kind?: string;
  rowBounded?: boolean;
  nonTransactional?: boolean;
  transactionControl?: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'other';
  runsCode?: boolean;
  /** Targets that must be among the statement's targets (of its last statement). */
  targets?: Partial<StatementTarget>[];
  note?: string;
}
