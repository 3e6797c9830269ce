/** The impact probe of each engine. */
import type { EngineName } from '../core/url.js';
import type { ImpactProbe } from './impact-probe.js';
import { mysqlImpactProbe } from './mysql/impact.js';
import { postgresImpactProbe } from './postgres/impact.js';
import { sqliteImpactProbe } from './sqlite/impact.js';

export function impactProbeFor(engine: EngineName): ImpactProbe {
  return { sqlite: sqliteImpactProbe, postgres: postgresImpactProbe, mysql: mysqlImpactProbe }[engine];
}
