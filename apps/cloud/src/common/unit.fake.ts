import { DataSource, EntityManager } from 'typeorm';

/**
 * For unit tests of the cloud's services: their stores and other dependencies replaced by plain
 * in-memory fakes (`*.fake.ts`, beside what each stands for, typed against it so a change of its
 * methods breaks the fake at compile time). Locks are not modelled: the e2e tests cover those on a
 * real PostgreSQL. Fakes never ship: the app's build leaves `*.fake.ts` out.
 */

/** A dependency given as the methods a test needs, each typed as the real one's. */
export function fakeOf<T>(methods: Partial<Pick<T, keyof T>>): T {
  return methods as T;
}

/** The one manager every fake transaction hands out; the fake stores ignore it. */
export const MANAGER = {} as EntityManager;

/**
 * Runs each transaction at once with `MANAGER`. Nothing is rolled back: a refusal a test expects
 * leaves the tables unchanged only if the service decided before it wrote, which is what the
 * tests check.
 */
export const transactions = () =>
  fakeOf<DataSource>({ transaction: ((run: (m: EntityManager) => unknown) => run(MANAGER)) as DataSource['transaction'] });
