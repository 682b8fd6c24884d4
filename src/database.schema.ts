import { DatabaseSchema } from './resources/database/database.service';
import { InitialSchema1764300000000 } from './resources/database/migrations/1764300000000-initial-schema';

/** Every entity and migration of the features, handed to the DatabaseModule. */
export const databaseSchema: DatabaseSchema = {
  entities: [],
  migrations: [InitialSchema1764300000000],
};
