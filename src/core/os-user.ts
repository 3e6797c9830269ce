import os from 'node:os';

/** The operating-system user running dbward, for the audit log and history rows. */
export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for this uid (common in containers).
    return process.env.USER ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
