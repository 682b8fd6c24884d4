import type { QueryConfig } from 'pg';

/**
 * A statement PostgreSQL parses and plans once per connection and then only binds and runs: pg
 * sends Parse under `name` the first time a connection sees it, and Bind/Execute afterwards.
 * For the hot queries (a caption by id, the insert) whose text never changes. A name must
 * always carry the same text: pg refuses a second text under a name a connection already holds.
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/** Plain SQL text (parsed on every run) or a named statement (parsed once per connection). */
export type Statement = string | NamedStatement;

export function namedStatement(name: string, text: string): NamedStatement {
  return Object.freeze({ name, text });
}

export function statementText(statement: Statement): string {
  return typeof statement === 'string' ? statement : statement.text;
}

/** pg's query config for a statement and its values. */
export function toQueryConfig(statement: Statement, values?: unknown[]): QueryConfig {
  return typeof statement === 'string'
    ? { text: statement, values }
    : { name: statement.name, text: statement.text, values };
}
