import { z } from 'zod';
import { dumpYaml } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { flashSaleCrd, flashSaleCrdManifest } from './crd.ts';
import { structuralSchema, type StructuralSchema } from './structural-schema.ts';

function nodesOf(schema: StructuralSchema, path = ''): [string, StructuralSchema][] {
  const children = Object.entries(schema.properties ?? {}).flatMap(([name, child]) =>
    nodesOf(child, `${path}.${name}`),
  );
  const items = schema.items ? nodesOf(schema.items, `${path}[]`) : [];
  return [[path || '(root)', schema], ...children, ...items];
}

describe('crd: the generated FlashSale CRD', () => {
  it('gives every field a type and a description, and carries the design names', () => {
    const crd = flashSaleCrdManifest();
    const version = crd.spec.versions[0];
    const root = version?.schema.openAPIV3Schema as StructuralSchema;
    const undocumented = nodesOf(root)
      .filter(([path, node]) => path !== '.metadata' && !node.description)
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
    expect(nodesOf(root).every(([, node]) => typeof node.type === 'string')).toBeTrue();
    expect(crd.spec.names).toEqual(
      jasmine.objectContaining({ kind: 'FlashSale', plural: 'flashsales', shortNames: ['fs'] }),
    );
    expect(crd.spec.scope).toBe('Namespaced');
    expect(version?.subresources.status).toEqual({});
    expect(version?.additionalPrinterColumns?.map((column) => column.name)).toEqual([
      'State',
      'Stock',
      'Remaining',
      'Starts',
      'Ends',
      'Observed',
      'Age',
    ]);
  });

  it('survives client-node: its model serializes back to exactly the wire form', () => {
    // client-node drops wire-spelled keys (default, x-kubernetes-validations) it does not
    // know under those names; this is what keeps the CEL rules and defaults in what
    // applyFlashSaleCrd sends.
    const throughClientNode: unknown = parse(dumpYaml(flashSaleCrd()));
    expect(throughClientNode).toEqual(JSON.parse(JSON.stringify(flashSaleCrdManifest())));
  });

  it('refuses to generate a schema Kubernetes cannot express, naming the field', () => {
    const scalars = z.object({ a: z.union([z.string(), z.number()]).describe('either') });
    expect(() => structuralSchema(scalars.describe('u'))).toThrowError(
      /schema\.a: needs exactly one type/,
    );
    const shapes = z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]);
    expect(() => structuralSchema(z.object({ s: shapes }).describe('u'))).toThrowError(
      /schema\.s: anyOf has no place/,
    );
    const bare = z.object({ count: z.number().int() }).describe('no description below');
    expect(() => structuralSchema(bare)).toThrowError(
      /schema\.count: every field needs a description/,
    );
  });
});
