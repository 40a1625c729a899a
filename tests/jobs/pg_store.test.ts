import { afterAll, beforeAll } from "vitest";
import { type PgFixture, startPgFixture } from "../pg/pg_fixture.ts";
import { describeJobStoreContract } from "./store_contract.ts";

let fixture: PgFixture;
beforeAll(async () => {
  fixture = await startPgFixture();
});
afterAll(async () => {
  await fixture.stop();
});

describeJobStoreContract("PostgreSQL", (options) => fixture.freshStore(options));
