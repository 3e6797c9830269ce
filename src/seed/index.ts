/** Seeding: declarative, idempotent, environment-aware seed files and the admin bootstrap (docs/seed.md). */
export { applySeed, type ApplySeedOptions, type SeedInput } from './apply.js';
export { loadSeed, loadSeedFile, SEED_EXTENSIONS, type SeedDocument } from './load.js';
export {
  defineSeed,
  parseSeedFile,
  seedFileSchema,
  SEED_ENVIRONMENTS,
  HASH_ALGORITHMS,
  type SeedFile,
  type SeedTable,
  type SeedRow,
  type SeedValue,
  type RefValue,
  type SeedAdmin,
  type SeedAdminLink,
  type SeedEnvironment,
  type HashAlgorithm,
} from './schema.js';
export {
  ADMIN_EMAIL_VAR,
  ADMIN_PASSWORD_VAR,
  adminEnvRequirements,
  resolveAdminCredentials,
  SecretString,
  type AdminCredentials,
  type AdminReport,
  type AdminPasswordStatus,
  type EnvSources,
} from './admin.js';
export { validateEmail, checkPasswordPolicy, isCommonPassword, MIN_PASSWORD_LENGTH, type PasswordPolicyOptions } from './policy.js';
export { hashPassword, verifyPassword, ARGON2ID_PARAMETERS, BCRYPT_COST } from './hash.js';
export type { SeedReport, TableReport, RowChange, SeedTotals } from './report.js';
/** Whether the seed's admin block applies in an environment: then init must require ADMIN_BOOTSTRAP_*. */
export { adminApplies } from './plan.js';
