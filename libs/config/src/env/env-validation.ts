import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvValidationError';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EnvClass<T> = new (...args: any[]) => T;

/**
 * Validates process.env against an app's schema class (class-validator + class-transformer). Every
 * problem names its variable; values are never echoed (they may be secrets).
 */
export function validateEnv<T extends object>(schema: EnvClass<T>, env: Record<string, string | undefined>): T {
  const instance = plainToInstance(schema, { ...env }, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors: ValidationError[] = validateSync(instance, { skipMissingProperties: false, whitelist: false });
  if (errors.length) {
    const problems = errors.map((e) => {
      if (e.value === undefined || e.value === '') return `${e.property} is required`;
      const reasons = Object.values(e.constraints ?? {}).map((m) => m.replace(new RegExp(`^${e.property} `), ''));
      return `${e.property} ${[...new Set(reasons)].join(', ')}`;
    });
    throw new EnvValidationError(problems);
  }
  return instance;
}

/** For main.ts: validate, or print the problems and exit non-zero before anything starts. */
export function validateEnvOrExit<T extends object>(
  schema: EnvClass<T>,
  env: Record<string, string | undefined> = process.env,
  app = 'app',
): T {
  try {
    return validateEnv(schema, env);
  } catch (e) {
    if (e instanceof EnvValidationError) {
      process.stderr.write(
        JSON.stringify({ time: new Date().toISOString(), level: 'fatal', app, msg: e.message, problems: e.problems }) +
          '\n',
      );
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
