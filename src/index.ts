/** dbward's library API: every capability the CLI offers, as typed functions. */
export { connect, type ConnectOptions } from './engines/index.js';
export type { Engine, Queryable, QueryResult, Capabilities, Privileges, ServerVersion, LockHandle } from './engines/engine.js';
export type * from './schema/model.js';
export { fingerprintOf, canonicalJson } from './schema/fingerprint.js';
export { parseDatabaseUrl, describeTarget, detectEngine, type ConnectionTarget, type EngineName } from './core/url.js';
export { redactText, redactUrl, registerSecret } from './core/redact.js';
export { appendAudit, verifyAuditLog, readAuditLog, type AuditEntry, type AuditEvent } from './core/audit.js';
export { loadConfig, resolveEnv, type EnvRequirement } from './core/config.js';
export { createContext, type CommandContext } from './core/context.js';
export { runOperation } from './core/operation.js';
export * from './core/errors.js';
export { runDoctor, type DoctorReport, type Check } from './doctor/doctor.js';
export { VERSION } from './version.js';
