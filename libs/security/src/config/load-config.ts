import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { ConfigError } from './config-error';
import { secretFieldsOf } from './secret.decorator';
import { weaknessOf } from './secret-strength';

export type ConfigSchema<T extends object> = new () => T;

export interface LoadConfigOptions {
  /** Reads `NAME_FILE` secrets; replaceable in tests. */
  readFile?: (path: string) => string;
}

/**
 * Builds a service's config from environment variables and validates it before anything starts
 * (fail fast). Fields of the schema class are named after the variables. Any variable may instead be
 * given as a file (`NAME_FILE`, the Docker and Kubernetes secrets convention), and in production a
 * missing or weak secret stops the boot with a list of problems.
 */
export function loadConfig<T extends object>(
  schema: ConfigSchema<T>,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): Readonly<T> {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];
  const raw: Record<string, string> = {};

  for (const name of variableNamesOf(schema)) {
    const value = env[name];
    const path = env[`${name}_FILE`];
    if (value !== undefined && value !== '') raw[name] = value;
    if (!path) continue;
    if (raw[name] !== undefined) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      const content = readFile(path).trim();
      if (content) raw[name] = content;
    } catch {
      problems.push(`${name}_FILE: cannot read ${path}`);
    }
  }

  const config = plainToInstance(schema, raw, { exposeUnsetFields: false });
  const errors = validateSync(config, {
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  problems.push(...errors.flatMap(describeValidationError));

  if (isProduction(config, env)) {
    for (const field of secretFieldsOf(schema)) {
      const value = (config as Record<string, unknown>)[field.name];
      if (typeof value !== 'string') {
        if (field.requiredInProduction) problems.push(`${field.name}: required in production`);
        continue;
      }
      const weakness = weaknessOf(field, value);
      if (weakness) problems.push(`${field.name}: too weak for production (${weakness})`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** The variables a schema reads: every property that carries a class-validator decorator. */
function variableNamesOf(schema: ConfigSchema<object>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

function isProduction(config: object, env: NodeJS.ProcessEnv): boolean {
  const nodeEnv = (config as { NODE_ENV?: unknown }).NODE_ENV ?? env.NODE_ENV;
  return nodeEnv === 'production';
}

function describeValidationError(error: ValidationError): string[] {
  const messages = Object.values(error.constraints ?? {});
  return messages.length > 0 ? [`${error.property}: ${messages.join('; ')}`] : [];
}
