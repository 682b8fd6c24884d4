import { DatabaseSchema } from './resources/database/database.service';
import { InitialSchema1764300000000 } from './migrations/1764300000000-initial-schema';

/**
 * Every entity and migration of the features, handed to the DatabaseModule.
 *
 * `migrations/` holds only the one migration written before the features had folders of their
 * own (captions and batch tables together, already applied everywhere: its class name and
 * timestamp must not change). A new migration goes in its feature's folder (e.g.
 * `captions/migrations/`) and is listed here.
 */
export const databaseSchema: DatabaseSchema = {
  entities: [],
  migrations: [InitialSchema1764300000000],
};
