import { migrate, SchemaNotMigratedError } from '@flashsale/platform';
import { stackStartTimeoutMs, OperatorFixture } from '@flashsale/testkit';

/** The operator never migrates: `flashsale migrate` has brought the schema up to date first. */
describe('operator: the schema must be migrated before it starts', () => {
  const fixture = new OperatorFixture('op-schema');

  beforeAll(async () => {
    await fixture.setUp({ migrated: false });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await fixture.tearDown();
  }, 60_000);

  it('refuses to start on a database nobody migrated, naming flashsale migrate, and starts once it ran', async () => {
    const refused = await fixture.startOperator('op-schema-a').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SchemaNotMigratedError);
    expect((refused as Error).message).toContain('`flashsale migrate`');
    expect((refused as SchemaNotMigratedError).pending).toEqual([
      '0001-create-sales',
      '0002-create-purchases',
      '0003-create-dead-letter-messages',
      '0004-sale-owner',
    ]);
    const [tables] = await fixture.database.query(
      "SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables).toEqual([{ count: 0 }]);

    await migrate(fixture.database);
    const operator = await fixture.startOperator('op-schema-b');
    expect(operator.identity).toBe('op-schema-b');
  });
});
