import { join } from 'node:path';
import { loadYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { saleNamePattern } from '@flashsale/platform';
import {
  flashSaleApiVersion,
  flashSaleGroup,
  flashSaleKind,
  flashSaleNames,
  flashSalePlural,
  flashSalePrinterColumns,
  flashSaleScope,
  flashSaleSpecSchema,
  flashSaleStatusSchema,
  flashSaleSubresources,
  flashSaleVersion,
  saleNameMessage,
} from '../../api/v1alpha1/index.ts';
import { structuralSchema, type StructuralSchema } from './structural-schema.ts';

export const flashSaleCrdName = `${flashSalePlural}.${flashSaleGroup}`;

/** Where `npm run generate` writes the CRD, relative to the repository root. */
export const flashSaleCrdPaths = [
  join('manifests', 'crds', 'flashsale.io_flashsales.yaml'),
  join('charts', 'flash-sale', 'crds', 'flashsale.io_flashsales.yaml'),
] as const;

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
 * spec and status (operator/api/v1alpha1). This is what manifests/crds/ holds.
 */
export function flashSaleCrdManifest(): CrdManifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: flashSaleCrdName },
    spec: {
      group: flashSaleGroup,
      scope: flashSaleScope,
      names: flashSaleNames,
      versions: [
        {
          name: flashSaleVersion,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: rootSchema() },
          subresources: flashSaleSubresources,
          additionalPrinterColumns: flashSalePrinterColumns,
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

/** The CRD as committed in manifests/crds/ and the chart's crds/ (see scripts/generate.ts). */
export function crdYaml(): string {
  const header = [
    '# Generated from the FlashSale type in operator/api/v1alpha1 by operator/src/crd/crd.ts.',
    '# Do not edit; regenerate with: npm run generate',
  ];
  return `${header.join('\n')}\n${stringify(flashSaleCrdManifest(), { lineWidth: 0, singleQuote: true })}`;
}
