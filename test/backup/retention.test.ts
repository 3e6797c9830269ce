import { describe, expect, it } from 'vitest';
import {
  decideRetention,
  gfsPeriodKey,
  parseRetentionPolicy,
  retentionPolicySchema,
  type RetentionCandidate,
  type RetentionDecision,
  type RetentionPolicy,
} from '../../src/backup/retention.js';
import { ConfigError, OperationError } from '../../src/core/errors.js';

const NOW = new Date('2024-06-15T12:00:00Z');
const DAY = 86_400_000;

const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

function backup(name: string, createdAt: Date | string, extra: Partial<RetentionCandidate> = {}): RetentionCandidate {
  return { name, createdAt: new Date(createdAt), pinned: false, lastVerification: null, ...extra };
}

/** n backups, one a day: d0 (now), d1 (a day ago), … */
const daily = (n: number) => Array.from({ length: n }, (_, i) => backup(`d${i}`, daysAgo(i)));

/** A policy where only the given rules matter (minimum 1 unless set). */
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ keepLast: 30, maxAgeDays: 90, minimum: 1, ...p });

const kept = (ds: RetentionDecision[]) => ds.filter((d) => d.keep).map((d) => d.name);
const deleted = (ds: RetentionDecision[]) => ds.filter((d) => !d.keep).map((d) => d.name);
const reasonsOf = (ds: RetentionDecision[], name: string) => ds.find((d) => d.name === name)!.reasons;

describe('keepLast and maxAgeDays', () => {
  it('count only: keeps the newest keepLast', () => {
    const ds = decideRetention(daily(10), policy({ keepLast: 4 }), NOW);
    expect(kept(ds)).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(deleted(ds)).toEqual(['d4', 'd5', 'd6', 'd7', 'd8', 'd9']);
    expect(reasonsOf(ds, 'd4')).toEqual(['beyond keepLast: #5, only the newest 4 are kept']);
    expect(reasonsOf(ds, 'd3')).toEqual(['within keepLast and maxAgeDays: #4 of the newest 4, 3.0 days old (limit 90)']);
  });

  it('age only: deletes what is older than maxAgeDays; exactly maxAgeDays old is kept', () => {
    const backups = [...daily(10), backup('just-over', new Date(daysAgo(7).getTime() - 1))];
    const ds = decideRetention(backups, policy({ keepLast: 100, maxAgeDays: 7 }), NOW);
    expect(kept(ds)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']);
    expect(deleted(ds)).toEqual(['just-over', 'd8', 'd9']);
    expect(reasonsOf(ds, 'd9')).toEqual(['older than maxAgeDays: created 2024-06-06T12:00:00.000Z, 9.0 days ago (limit 7)']);
  });

  it('both limits bound retention; a backup breaking both gets both reasons', () => {
    const byCount = decideRetention(daily(10), policy({ keepLast: 5, maxAgeDays: 7 }), NOW);
    expect(kept(byCount)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    expect(reasonsOf(byCount, 'd6')).toEqual(['beyond keepLast: #7, only the newest 5 are kept']);
    expect(reasonsOf(byCount, 'd9')).toHaveLength(2);
    expect(reasonsOf(byCount, 'd9')[0]).toMatch(/^beyond keepLast/);
    expect(reasonsOf(byCount, 'd9')[1]).toMatch(/^older than maxAgeDays/);

    const byAge = decideRetention(daily(10), policy({ keepLast: 8, maxAgeDays: 3 }), NOW);
    expect(kept(byAge)).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(reasonsOf(byAge, 'd5')).toEqual([expect.stringMatching(/^older than maxAgeDays/)]);
    expect(reasonsOf(byAge, 'd8')).toHaveLength(2);
  });

  it('returns nothing for no backups', () => {
    expect(decideRetention([], policy({}), NOW)).toEqual([]);
  });
});

describe('protections', () => {
  it('keeps the minimum newest when every backup is older than maxAgeDays (backups failing for weeks)', () => {
    // The last backup succeeded 100 days ago; nothing since.
    const backups = Array.from({ length: 21 }, (_, i) => backup(`old${i}`, daysAgo(100 + i)));
    const ds = decideRetention(backups, parseRetentionPolicy({}), NOW);
    expect(kept(ds)).toEqual(['old0', 'old1', 'old2']);
    expect(reasonsOf(ds, 'old0')).toEqual(['minimum: #1 of the 3 newest backups, always kept whatever their age']);
    expect(deleted(ds)).toHaveLength(18);
  });

  it('keeps more than keepLast when minimum is larger', () => {
    expect(kept(decideRetention(daily(10), policy({ keepLast: 2, minimum: 4 }), NOW))).toEqual(['d0', 'd1', 'd2', 'd3']);
  });

  it('never deletes a pinned backup, however old or far down', () => {
    const backups = [...daily(5), backup('pinned-old', daysAgo(400), { pinned: true })];
    const ds = decideRetention(backups, policy({ keepLast: 2 }), NOW);
    expect(kept(ds)).toEqual(['d0', 'd1', 'pinned-old']);
    expect(reasonsOf(ds, 'pinned-old')).toEqual(['pinned']);
  });

  it('keeps the newest verified backup even when the newer ones all failed verification', () => {
    const failed = { ok: false, at: NOW };
    const ok = { ok: true, at: daysAgo(1) };
    const backups = daily(10).map((b, i) => ({ ...b, lastVerification: i < 5 ? failed : ok }));
    const ds = decideRetention(backups, policy({ keepLast: 3 }), NOW);
    expect(kept(ds)).toEqual(['d0', 'd1', 'd2', 'd5']);
    expect(reasonsOf(ds, 'd5')).toEqual([`newest backup that passed verification (verified ${daysAgo(1).toISOString()})`]);
  });

  it('keeps the newest verified backup past maxAgeDays too', () => {
    const backups = [...daily(3), backup('verified-old', daysAgo(200), { lastVerification: { ok: true, at: daysAgo(199) } })];
    expect(kept(decideRetention(backups, policy({ maxAgeDays: 30 }), NOW))).toEqual(['d0', 'd1', 'd2', 'verified-old']);
  });

  it('counts only a passed last verification', () => {
    const backups = [
      backup('failed', daysAgo(0), { lastVerification: { ok: false, at: NOW } }),
      backup('never', daysAgo(1)),
      backup('passed', daysAgo(2), { lastVerification: { ok: true, at: NOW } }),
      backup('passed-older', daysAgo(3), { lastVerification: { ok: true, at: NOW } }),
    ];
    const ds = decideRetention(backups, policy({ keepLast: 1 }), NOW);
    expect(kept(ds)).toEqual(['failed', 'passed']);
    expect(deleted(ds)).toEqual(['never', 'passed-older']);

    const noneVerified = decideRetention(backups.slice(0, 2), policy({ keepLast: 1 }), NOW);
    expect(kept(noneVerified)).toEqual(['failed']);
  });

  it('lists every reason that keeps a backup', () => {
    const backups = [backup('only', daysAgo(0), { pinned: true, lastVerification: { ok: true, at: NOW } })];
    const [d] = decideRetention(backups, policy({ gfs: { daily: 1, yearly: 1 } }), NOW);
    expect(d).toEqual({
      name: 'only',
      keep: true,
      reasons: [
        'pinned',
        'minimum: #1 of the 1 newest backups, always kept whatever their age',
        `newest backup that passed verification (verified ${NOW.toISOString()})`,
        'gfs daily: newest backup of 2024-06-15 (1 of 1)',
        'gfs yearly: newest backup of 2024 (1 of 1)',
        'within keepLast and maxAgeDays: #1 of the newest 30, 0.0 days old (limit 90)',
      ],
    });
  });
});

describe('GFS', () => {
  it('daily: the newest backup of each of the N most recent days that have one (gaps skipped, UTC)', () => {
    const backups = [
      backup('jun15-b', '2024-06-15T02:00:00Z'),
      backup('jun15-a', '2024-06-15T10:00:00Z'),
      backup('jun14-late', '2024-06-14T23:59:59Z'),
      backup('jun14-early', '2024-06-14T00:00:00Z'),
      // 23:30 at UTC-2 is 01:30 UTC on the 14th, not the 13th.
      backup('jun14-offset', '2024-06-13T23:30:00-02:00'),
      // no backups on 12 and 13 June
      backup('jun11', '2024-06-11T05:00:00Z'),
      backup('jun10', '2024-06-10T05:00:00Z'),
    ];
    const ds = decideRetention(backups, policy({ keepLast: 1, gfs: { daily: 3 } }), NOW);
    expect(kept(ds)).toEqual(['jun15-a', 'jun14-late', 'jun11']);
    expect(deleted(ds)).toEqual(['jun15-b', 'jun14-offset', 'jun14-early', 'jun10']);
    expect(reasonsOf(ds, 'jun11')).toEqual(['gfs daily: newest backup of 2024-06-11 (3 of 3)']);
  });

  it('weekly: by ISO week, across the year boundary', () => {
    const now = new Date('2025-01-07T12:00:00Z');
    const backups = [
      backup('sat-dec28', '2024-12-28T12:00:00Z'), // 2024-W52
      backup('sun-dec29', '2024-12-29T12:00:00Z'), // 2024-W52
      backup('mon-dec30', '2024-12-30T12:00:00Z'), // 2025-W01
      backup('thu-jan02', '2025-01-02T12:00:00Z'), // 2025-W01
      backup('sun-jan05', '2025-01-05T23:59:59Z'), // 2025-W01
      backup('mon-jan06', '2025-01-06T00:00:00Z'), // 2025-W02
    ];
    const two = decideRetention(backups, policy({ keepLast: 1, gfs: { weekly: 2 } }), now);
    expect(kept(two)).toEqual(['mon-jan06', 'sun-jan05']);
    expect(reasonsOf(two, 'sun-jan05')).toEqual(['gfs weekly: newest backup of 2025-W01 (2 of 2)']);

    const three = decideRetention(backups, policy({ keepLast: 1, gfs: { weekly: 3 } }), now);
    expect(kept(three)).toEqual(['mon-jan06', 'sun-jan05', 'sun-dec29']);
  });

  it('monthly and yearly: calendar periods, kept past maxAgeDays and keepLast', () => {
    const backups = [
      backup('2023-11-30', '2023-11-30T12:00:00Z'),
      backup('2023-12-01', '2023-12-01T12:00:00Z'),
      backup('2023-12-31', '2023-12-31T23:59:59Z'),
      backup('2024-01-01', '2024-01-01T00:00:00Z'),
      backup('2024-01-20', '2024-01-20T12:00:00Z'),
      // nothing in February
      backup('2024-03-05', '2024-03-05T12:00:00Z'),
    ];
    const monthly = decideRetention(backups, policy({ keepLast: 1, maxAgeDays: 30, gfs: { monthly: 3 } }), NOW);
    expect(kept(monthly)).toEqual(['2024-03-05', '2024-01-20', '2023-12-31']);
    expect(reasonsOf(monthly, '2023-12-31')).toEqual(['gfs monthly: newest backup of 2023-12 (3 of 3)']);

    const yearly = decideRetention(backups, policy({ keepLast: 1, maxAgeDays: 30, gfs: { yearly: 5 } }), NOW);
    expect(kept(yearly)).toEqual(['2024-03-05', '2023-12-31']);

    const both = decideRetention(backups, policy({ keepLast: 1, maxAgeDays: 30, gfs: { monthly: 1, yearly: 2 } }), NOW);
    expect(kept(both)).toEqual(['2024-03-05', '2023-12-31']);
    expect(reasonsOf(both, '2024-03-05')).toEqual([
      'minimum: #1 of the 1 newest backups, always kept whatever their age',
      'gfs monthly: newest backup of 2024-03 (1 of 1)',
      'gfs yearly: newest backup of 2024 (1 of 2)',
    ]);
  });

  it('yearly: skips years without backups', () => {
    const backups = [
      backup('y2024', '2024-02-01T00:00:00Z'),
      backup('y2023', '2023-07-01T00:00:00Z'),
      backup('y2021-b', '2021-12-01T00:00:00Z'),
      backup('y2021-a', '2021-01-01T00:00:00Z'),
      backup('y2020', '2020-06-01T00:00:00Z'),
    ];
    const ds = decideRetention(backups, policy({ keepLast: 1, gfs: { yearly: 3, daily: 0 } }), NOW);
    expect(kept(ds)).toEqual(['y2024', 'y2023', 'y2021-b']);
  });

  it('computes UTC period keys, ISO weeks included', () => {
    const week = (iso: string) => gfsPeriodKey('weekly', new Date(iso));
    expect(week('2020-12-31T12:00:00Z')).toBe('2020-W53');
    expect(week('2021-01-03T23:59:59Z')).toBe('2020-W53');
    expect(week('2021-01-04T00:00:00Z')).toBe('2021-W01');
    expect(week('2024-12-29T12:00:00Z')).toBe('2024-W52');
    expect(week('2024-12-30T00:00:00Z')).toBe('2025-W01');
    expect(week('2026-01-01T12:00:00Z')).toBe('2026-W01');
    expect(week('2027-01-01T12:00:00Z')).toBe('2026-W53');
    expect(week('2024-06-16T23:59:59Z')).toBe('2024-W24');
    expect(week('2024-06-17T00:00:00Z')).toBe('2024-W25');
    const at = new Date('2024-02-29T23:59:59Z');
    expect(gfsPeriodKey('daily', at)).toBe('2024-02-29');
    expect(gfsPeriodKey('monthly', at)).toBe('2024-02');
    expect(gfsPeriodKey('yearly', at)).toBe('2024');
  });
});

describe('order and determinism', () => {
  it('orders newest first; equal timestamps by name, the later name counting as newer', () => {
    const same = '2024-06-15T00:00:00Z';
    const inputs = [
      [backup('x-a', same), backup('x-c', same), backup('older', daysAgo(3)), backup('x-b', same)],
      [backup('older', daysAgo(3)), backup('x-b', same), backup('x-a', same), backup('x-c', same)],
    ];
    for (const backups of inputs) {
      const ds = decideRetention(backups, policy({ keepLast: 2, gfs: { daily: 2 } }), NOW);
      expect(ds.map((d) => d.name)).toEqual(['x-c', 'x-b', 'x-a', 'older']);
      expect(kept(ds)).toEqual(['x-c', 'x-b', 'older']);
      expect(reasonsOf(ds, 'x-c')).toContain('gfs daily: newest backup of 2024-06-15 (1 of 2)');
    }
  });

  it('does not modify its input and gives every decision a reason', () => {
    const backups = [backup('b', daysAgo(5)), backup('a', daysAgo(1)), backup('c', daysAgo(200))];
    const copy = structuredClone(backups);
    const ds = decideRetention(backups, policy({ keepLast: 1 }), NOW);
    expect(backups).toEqual(copy);
    expect(ds.map((d) => d.name)).toEqual(['a', 'b', 'c']);
    for (const d of ds) expect(d.reasons.length).toBeGreaterThan(0);
  });

  it('rejects duplicate names and invalid dates', () => {
    expect(() => decideRetention([backup('a', daysAgo(1)), backup('a', daysAgo(2))], policy({}), NOW)).toThrow(OperationError);
    expect(() => decideRetention([backup('a', 'not a date')], policy({}), NOW)).toThrow(/invalid creation time/);
    expect(() => decideRetention([], policy({}), new Date(Number.NaN))).toThrow(/"now" is not a valid date/);
  });
});

describe('policy schema', () => {
  it('fills in defaults', () => {
    expect(parseRetentionPolicy({})).toEqual({ keepLast: 30, maxAgeDays: 90, minimum: 3 });
    expect(parseRetentionPolicy(undefined)).toEqual({ keepLast: 30, maxAgeDays: 90, minimum: 3 });
    expect(parseRetentionPolicy({ gfs: { weekly: 4 } })).toEqual({ keepLast: 30, maxAgeDays: 90, minimum: 3, gfs: { weekly: 4 } });
  });

  it('names the key in zod issues', () => {
    const result = retentionPolicySchema.safeParse({ gfs: { weekly: -1 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['gfs', 'weekly']);
  });

  const problems = (input: unknown): string[] => {
    try {
      parseRetentionPolicy(input);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(2);
      return (err as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    [{ gfs: { weekly: -1 } }, 'key "retention.gfs.weekly"'],
    [{ gfs: { daily: 1.5 } }, 'key "retention.gfs.daily"'],
    [{ keepLast: 2.5 }, 'key "retention.keepLast"'],
    [{ keepLast: 0 }, 'key "retention.keepLast"'],
    [{ maxAgeDays: -3 }, 'key "retention.maxAgeDays"'],
    [{ minimum: 0 }, 'key "retention.minimum"'],
    [{ minimum: '3' }, 'key "retention.minimum"'],
    [{ keepDaily: 7 }, 'unknown key "retention.keepDaily"'],
    [{ gfs: { hourly: 24 } }, 'unknown key "retention.gfs.hourly"'],
  ])('rejects %j naming the key', (input, expected) => {
    const found = problems(input);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('validates the policy given to decideRetention', () => {
    expect(() => decideRetention([], { ...policy({}), gfs: { monthly: -2 } }, NOW)).toThrow(/retention\.gfs\.monthly/);
  });
});
