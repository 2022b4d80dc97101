import { join } from 'node:path';
import { loadYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { flashSaleSpecSchema, saleNameMessage, saleNamePattern } from '@flashsale/platform';
import {
  flashSaleApiVersion,
  flashSaleGroup,
  flashSaleKind,
  flashSalePlural,
  flashSaleStatusSchema,
  flashSaleVersion,
} from './flash-sale-status.ts';
import { structuralSchema, type StructuralSchema } from './structural-schema.ts';

export const flashSaleCrdName = `${flashSalePlural}.${flashSaleGroup}`;

/** Where the generated CRD is committed, relative to the repository root. */
export const flashSaleCrdPath = join('manifests', 'crds', 'flashsale.io_flashsales.yaml');
export const regenerateCommand = 'node --import tsx operator/src/crd/generate.ts';

// The API server validates a custom resource's metadata.name only as a DNS subdomain (253
// characters, dots allowed); a sale name also becomes a Redis hash tag, a label value and
// part of URLs, hence the stricter DNS label. CEL on the root may read metadata.name.
const nameRule = {
  rule: `self.metadata.name.matches('${saleNamePattern.source}')`,
  message: saleNameMessage,
  reason: 'FieldValueInvalid',
};

function rootSchema(): StructuralSchema {
  return {
    type: 'object',
    description: 'A flash sale: a limited stock of one product sold in a short window.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: `Always ${flashSaleApiVersion}.` },
      kind: { type: 'string', description: `Always ${flashSaleKind}.` },
      // Kubernetes owns the metadata schema: the API server refuses anything here beyond
      // name and generateName, even a description, so the name rule lives on the root.
      metadata: { type: 'object' },
      spec: structuralSchema(flashSaleSpecSchema, 'spec'),
      status: structuralSchema(flashSaleStatusSchema, 'status'),
    },
    'x-kubernetes-validations': [nameRule],
  };
}

// Starts and Ends are strings, not `date`: a `date` column prints the age of a time, and
// for a sale that has not started yet that age is negative, which kubectl shows as
// "<invalid>". The timestamp itself is what an operator of a sale wants to read.
const printerColumns = [
  {
    name: 'State',
    type: 'string',
    jsonPath: '.status.state',
    description: 'Upcoming, Active, SoldOut or Ended.',
  },
  { name: 'Stock', type: 'integer', jsonPath: '.status.stock', description: 'Units configured.' },
  {
    name: 'Remaining',
    type: 'integer',
    jsonPath: '.status.remaining',
    description: 'Units still for sale.',
  },
  {
    name: 'Starts',
    type: 'string',
    format: 'date-time',
    jsonPath: '.spec.startsAt',
    description: 'When the sale opens.',
  },
  {
    name: 'Ends',
    type: 'string',
    format: 'date-time',
    jsonPath: '.spec.endsAt',
    description: 'When the sale closes.',
  },
  {
    name: 'Observed',
    type: 'integer',
    jsonPath: '.status.observedGeneration',
    description:
      'The generation an operator last acted on; empty when no operator watches this FlashSale.',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The CRD as JSON on the wire and in YAML (keys such as `default`, `x-kubernetes-validations`). */
export interface CrdManifest {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly scope: 'Namespaced';
    readonly names: Readonly<Record<string, string | string[]>>;
    readonly versions: readonly {
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly schema: { readonly openAPIV3Schema: StructuralSchema };
      readonly subresources: { readonly status: Record<string, never> };
      readonly additionalPrinterColumns: readonly Readonly<Record<string, string>>[];
    }[];
  };
}

/**
 * The FlashSale CustomResourceDefinition in its wire form, generated from the zod schemas of
 * spec and status. This is what manifests/crds/ holds.
 */
export function flashSaleCrdManifest(): CrdManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: flashSaleCrdName },
    spec: {
      group: flashSaleGroup,
      scope: 'Namespaced',
      names: {
        kind: flashSaleKind,
        listKind: `${flashSaleKind}List`,
        plural: flashSalePlural,
        singular: 'flashsale',
        shortNames: ['fs'],
        categories: ['flashsale'],
      },
      versions: [
        {
          name: flashSaleVersion,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: rootSchema() },
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
        },
      ],
    },
  };
}

/**
 * The same CRD as client-node's model, for its typed APIs (ApiextensionsV1Api,
 * KubernetesObjectApi). client-node renames wire keys in its models (`default` is `_default`,
 * `x-kubernetes-validations` is `xKubernetesValidations`) and silently drops the wire
 * spelling when it serializes, so a wire-form object passed to it would lose its defaults
 * and CEL rules; its own deserializer does the renaming. (JSON is YAML.)
 */
export function flashSaleCrd(): V1CustomResourceDefinition {
  return loadYaml<V1CustomResourceDefinition>(JSON.stringify(flashSaleCrdManifest()));
}

/** The CRD as committed in manifests/crds/ (see generate.ts). */
export function crdYaml(): string {
  const header = [
    '# Generated from platform/src/sales/flash-sale-manifest.ts and',
    '# operator/src/crd/flash-sale-status.ts by operator/src/crd/crd.ts. Do not edit;',
    `# regenerate with: ${regenerateCommand}`,
  ];
  return `${header.join('\n')}\n${stringify(flashSaleCrdManifest(), { lineWidth: 0, singleQuote: true })}`;
}
