import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { Reason } from '@flashsale/operator';
import { migrate, migrationsTable, purchaseEventSchema } from '@flashsale/platform';
import { projectRoot } from '@flashsale/stack';
import {
  createTestDatabase,
  dropTestDatabase,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

/** The backticked names in the first cell of each table row of a markdown section. */
function documentedNames(section: string): string[] {
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/events-and-tables.md has no heading "${heading}"`);
  const next = doc.indexOf('\n#', start + heading.length + 2);
  return doc.slice(start, next < 0 ? undefined : next);
}

describe('contract docs: events and tables', () => {
  const names = isolatedNames('contract-docs');
  let baseUrl: string;
  let sequelize: Sequelize;
  let doc: string;

  beforeAll(async () => {
    baseUrl = (await useStack()).DATABASE_URL;
    const url = await createTestDatabase(baseUrl, names.database);
    sequelize = new Sequelize(url, { logging: false });
    await migrate(sequelize);
    doc = await readFile(join(projectRoot, 'docs', 'events-and-tables.md'), 'utf8');
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await sequelize.close();
    await dropTestDatabase(baseUrl, names.database);
  });

  it('describes every column of every migrated table, and no column that does not exist', async () => {
    const rows = await sequelize.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> $1 ORDER BY table_name, ordinal_position`,
      { bind: [migrationsTable], type: QueryTypes.SELECT },
    );
    const tables = [...new Set(rows.map((row) => row.table_name))];
    expect(tables).toEqual(['dead_letter_messages', 'purchases', 'sales']);
    for (const table of tables) {
      const columns = rows.filter((row) => row.table_name === table).map((row) => row.column_name);
      expect(documentedNames(section(doc, `### \`${table}\``)).sort())
        .withContext(table)
        .toEqual([...columns].sort());
    }
  });

  it('describes every field of the purchase event, and no other', () => {
    const fields = documentedNames(section(doc, '## Kafka: the purchases topic'));
    expect(fields.sort()).toEqual(Object.keys(purchaseEventSchema.shape).sort());
  });

  it('names every condition reason the operator can record', () => {
    const events = section(doc, '## Kubernetes Events');
    for (const reason of Object.values(Reason)) {
      expect(events).withContext(reason).toContain(`\`${reason}\``);
    }
  });
});
