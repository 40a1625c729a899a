/**
 * One migration runner for both job stores. A store's schema is an append-only list of numbered
 * migrations: migration `i` (0-based) takes the schema from version `i` to `i + 1`. The runner
 * applies the ones a database has not had, in order, each in its own transaction: it begins, reads
 * the version under the store's write lock, applies the next migration and records it in the same
 * transaction, and commits; so each migration is applied once, also when several processes start
 * together. A database whose version is past the list was written by a newer release and is refused
 * ({@link MigrationError}), never migrated down or written.
 *
 * The steps are written once as a generator and driven synchronously (`node:sqlite`) or
 * asynchronously (`pg`): the same technique as Babel's `gensync`.
 */

/** A value, or a promise of it from an asynchronous database. */
export type Awaitable<T> = T | Promise<T>;

/**
 * What the runner needs of one database connection. Every method either returns (SQLite) or returns a
 * promise (PostgreSQL); all are called on one connection, in order.
 */
export interface MigrationTarget {
  /** Names the store in errors, e.g. `the PostgreSQL job store`. */
  readonly name: string;
  /** Starts a transaction holding the lock that lets one process at a time migrate. */
  begin(): Awaitable<void>;
  /** The schema version recorded (0 for a new database), read inside the transaction. */
  version(): Awaitable<number>;
  /** Runs one migration's SQL (several statements). */
  apply(sql: string): Awaitable<void>;
  /** Records that the schema is now at `version`. */
  record(version: number): Awaitable<void>;
  commit(): Awaitable<void>;
  rollback(): Awaitable<void>;
}

/** A migration failed, the version could not be read, or the database is newer than the code. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/**
 * Migrates `target` with `migrations`; `target`'s methods must all be synchronous.
 * @throws {MigrationError} naming the version that failed (the database's error as `cause`; that
 *   migration is rolled back, the ones before it stay), or when the database is newer than `migrations`.
 */
export function migrateSync(target: MigrationTarget, migrations: readonly string[]): void {
  const steps = migrationSteps(target, migrations);
  for (let step = steps.next(); !step.done; step = steps.next(step.value)) {
    if (step.value instanceof Promise) {
      throw new TypeError(`${target.name}: migrateSync needs a synchronous database; use migrateAsync`);
    }
  }
}

/**
 * Migrates `target` with `migrations`, awaiting each of its methods.
 * @throws {MigrationError} as {@link migrateSync}.
 */
export async function migrateAsync(target: MigrationTarget, migrations: readonly string[]): Promise<void> {
  const steps = migrationSteps(target, migrations);
  let step = steps.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await step.value;
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
}

/** The runner's steps: each `yield` hands over a method's result and gets it back settled. */
function* migrationSteps(
  target: MigrationTarget,
  migrations: readonly string[],
): Generator<Awaitable<unknown>, void, unknown> {
  for (;;) {
    let version: number;
    try {
      yield target.begin();
      version = (yield target.version()) as number;
    } catch (error) {
      yield* rollback(target);
      throw new MigrationError(`Cannot read the schema version of ${target.name}`, { cause: error });
    }
    if (version > migrations.length) {
      yield* rollback(target);
      throw new MigrationError(
        `${target.name} is at schema version ${version}, newer than this release's ${migrations.length}: ` +
          "a newer release wrote it. Run that release (or a later one), or restore a backup made before the upgrade",
      );
    }
    if (version === migrations.length) {
      yield target.commit();
      return;
    }
    try {
      yield target.apply(migrations[version]!);
      yield target.record(version + 1);
      yield target.commit();
    } catch (error) {
      yield* rollback(target);
      throw new MigrationError(`Cannot migrate ${target.name} to version ${version + 1}`, { cause: error });
    }
  }
}

/** Rolls back, keeping the error that led here rather than one from the rollback. */
function* rollback(target: MigrationTarget): Generator<Awaitable<unknown>, void, unknown> {
  try {
    yield target.rollback();
  } catch {
    // The transaction is gone already (a failed commit, a lost connection).
  }
}
