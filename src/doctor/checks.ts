/** The shape of a doctor check, shared by engine-specific and general checks. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Check {
  /** Stable id for machines, e.g. `tool.pg_dump`. */
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}
