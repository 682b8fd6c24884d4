import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { AppConfig, ConfigValidationError, validateConfig } from './config/app-config';
import { startServer } from './server';

/** Validated configuration, or one line naming the bad variable and exit 1 (no stack trace). */
export function loadConfigOrExit(): AppConfig {
  // `.env` when present; real environment variables win over it.
  loadDotEnv({ quiet: true });
  try {
    return validateConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(`configuration error: ${error.problems.join('; ')}`);
      process.exit(1);
    }
    throw error;
  }
}

if (require.main === module) {
  startServer(loadConfigOrExit()).catch((error: Error) => {
    console.error(`start-up failed: ${error.message}`);
    process.exit(1);
  });
}
