// chatflow for Node: the bundled SQLite extension and a loader for it.

/**
 * A connection that can load an SQLite extension: a better-sqlite3
 * `Database`, or a node:sqlite `DatabaseSync` (Node 22.13 or later) opened
 * with `{ allowExtension: true }`.
 */
export interface ExtensionLoadable {
  loadExtension(path: string): unknown;
  /** node:sqlite only: `load` switches loading on for the call, then off. */
  enableLoadExtension?(allow: boolean): void;
}

/**
 * The absolute path of the bundled `chatflow.so`, suffix included (every
 * SQLite loader accepts it). Throws when the file is missing.
 */
export declare function getLoadablePath(): string;

/**
 * Loads chatflow into `db`, and does nothing else: run
 * `SELECT chatflow_init()` to create or migrate the schema.
 * Throws a `TypeError` when `db` cannot load extensions, and an `Error`
 * when a `DatabaseSync` was opened without `allowExtension: true`.
 */
export declare function load(db: ExtensionLoadable): void;
