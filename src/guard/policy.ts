/**
 * The safety gate's policy: row limits that turn a bounded write into a destructive one, how long a
 * plan may wait for approval, which environment variables mark an AI coding agent, and what each
 * environment does with destructive statements. Production always needs a human's approval.
 */
import * as z from 'zod';

export type Environment = 'development' | 'test' | 'staging' | 'production';

/** approve: a human approves every destructive statement. backup: a verified backup is enough (never in production). */
export type DestructiveRule = 'approve' | 'backup';

/**
 * Environment variables coding agents set in the shells they run commands in. A trailing `*` matches
 * a prefix. Config `guard.agentMarkers` adds to this list.
 */
export const DEFAULT_AGENT_MARKERS: readonly string[] = [
  'CLAUDECODE',
  'CURSOR_AGENT',
  'CODEX_*',
  'GEMINI_CLI',
  'COPILOT_CLI',
  'REPLIT_*',
  'AI_AGENT',
  'AGENT',
];

const markerSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'must be an environment variable name, optionally ending in * for a prefix');

export const guardPolicySchema = z
  .object({
    /** A DELETE that removes more rows than this is destructive. Default 1 ("never a multi-row DELETE without permission"). */
    maxDeleteRows: z.number().int().min(0).optional(),
    /** An UPDATE that changes more rows than this is destructive. Default 100. */
    maxUpdateRows: z.number().int().min(0).optional(),
    /** Statement timeout of the rolled-back dry run that counts rows. Default 30. */
    assessTimeoutSeconds: z.number().positive().max(3600).optional(),
    /** How long a plan waits for approval and execution. Default 60 minutes. */
    planTtlMinutes: z.number().positive().max(7 * 24 * 60).optional(),
    /** Where plans are kept, relative to the config file. Default .dbward/plans. */
    plansDir: z.string().min(1).optional(),
    /** More environment variables that mark an AI agent (added to the built-in list). */
    agentMarkers: z.array(markerSchema).optional(),
    /** Per environment: approve (default everywhere) or backup (a verified backup without approval). */
    destructive: z
      .object({
        development: z.enum(['approve', 'backup']).optional(),
        test: z.enum(['approve', 'backup']).optional(),
        staging: z.enum(['approve', 'backup']).optional(),
        production: z.literal('approve', { error: 'production always needs approval: the only allowed value is "approve"' }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type GuardConfig = z.infer<typeof guardPolicySchema>;

export interface GuardPolicy {
  maxDeleteRows: number;
  maxUpdateRows: number;
  assessTimeoutMs: number;
  planTtlMs: number;
  plansDir: string;
  agentMarkers: string[];
  destructive: DestructiveRule;
  environment: Environment;
}

export function guardPolicy(config: GuardConfig | undefined, environment: Environment): GuardPolicy {
  const c = config ?? {};
  return {
    maxDeleteRows: c.maxDeleteRows ?? 1,
    maxUpdateRows: c.maxUpdateRows ?? 100,
    assessTimeoutMs: (c.assessTimeoutSeconds ?? 30) * 1000,
    planTtlMs: (c.planTtlMinutes ?? 60) * 60_000,
    plansDir: c.plansDir ?? '.dbward/plans',
    agentMarkers: [...DEFAULT_AGENT_MARKERS, ...(c.agentMarkers ?? [])],
    destructive: environment === 'production' ? 'approve' : (c.destructive?.[environment] ?? 'approve'),
    environment,
  };
}

const OFF_VALUES = new Set(['', '0', 'false', 'no', 'off']);

/** The first agent marker set in env (name of the variable), or null when none is. */
export function detectAgent(env: NodeJS.ProcessEnv, markers: readonly string[]): string | null {
  const set = Object.keys(env).filter((name) => !OFF_VALUES.has((env[name] ?? '').trim().toLowerCase()));
  for (const marker of markers) {
    const found = marker.endsWith('*') ? set.find((name) => name.startsWith(marker.slice(0, -1))) : set.find((name) => name === marker);
    if (found) return found;
  }
  return null;
}

/** How a human can approve here: typed at this terminal, or only out of band (`dbward approve`). */
export type ApprovalRoute = { kind: 'terminal' } | { kind: 'out-of-band'; why: string };

export function approvalRoute(options: { env: NodeJS.ProcessEnv; markers: readonly string[]; interactive: boolean }): ApprovalRoute {
  const agent = detectAgent(options.env, options.markers);
  if (agent) return { kind: 'out-of-band', why: `an AI agent is running this command (${agent} is set)` };
  if (!options.interactive) return { kind: 'out-of-band', why: 'there is no terminal to ask a human at' };
  return { kind: 'terminal' };
}
