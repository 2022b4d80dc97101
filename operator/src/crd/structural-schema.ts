import { z } from 'zod';

/**
 * A Kubernetes structural OpenAPI v3 schema node (the subset of JSONSchemaProps a CRD needs).
 * See https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
export interface StructuralSchema {
  type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  /** Required on every node zod generates; only `metadata` (owned by Kubernetes) has none. */
  description?: string;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  items?: StructuralSchema;
  [keyword: string]: unknown;
}

// Keywords the API server accepts in a structural schema and that zod emits with the same
// meaning, in the order the generated YAML lists them. Anything else is an error rather
// than dropped, so a new zod feature cannot silently weaken the CRD.
const keptKeywords = [
  'type',
  'description',
  'properties',
  'required',
  'items',
  'default',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
];

// `$schema` is document metadata; `additionalProperties: false` conflicts with `properties`
// in a structural schema (the API server prunes unknown fields instead); `readOnly` comes
// from zod's `.readonly()`, a TypeScript-only notion here.
const droppedKeywords = new Set(['$schema', 'additionalProperties', 'readOnly']);

// zod bounds every integer to JavaScript's safe range; that is noise in a CRD (the API
// server stores int64), so only bounds someone wrote on purpose are kept.
const safeIntegerBound = Number.MAX_SAFE_INTEGER;

type JsonNode = Record<string, unknown>;

function isNode(value: unknown): value is JsonNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// zod spells RFC 3339 out as a long regex beside `format: date-time`. The API server checks
// date-time strictly itself (RFC 3339, offset required), so the regex would only double
// every error message with an unreadable pattern.
function isRedundant(node: JsonNode, key: string, value: unknown): boolean {
  return (
    (key === 'maximum' && value === safeIntegerBound) ||
    (key === 'minimum' && value === -safeIntegerBound) ||
    (key === 'pattern' && node.format === 'date-time')
  );
}

function convertProperties(value: unknown, path: string): Record<string, StructuralSchema> {
  if (!isNode(value)) throw new Error(`${path}: properties is not an object`);
  return Object.fromEntries(
    Object.entries(value).map(([name, child]) => [name, structural(child, `${path}.${name}`)]),
  );
}

function convertKeyword(key: string, value: unknown, path: string): unknown {
  if (key === 'properties') return convertProperties(value, path);
  if (key === 'items') return structural(value, `${path}[]`);
  return value;
}

function structural(node: unknown, path: string): StructuralSchema {
  if (!isNode(node)) throw new Error(`${path}: schema node is not an object`);
  const unknown = Object.keys(node).filter(
    (key) => !keptKeywords.includes(key) && !droppedKeywords.has(key),
  );
  if (unknown.length > 0) {
    throw new Error(`${path}: ${unknown.join(', ')} has no place in a structural schema`);
  }
  const result: JsonNode = {};
  for (const key of keptKeywords) {
    const value = node[key];
    if (value === undefined || isRedundant(node, key, value)) continue;
    result[key] = convertKeyword(key, value, path);
  }
  if (typeof result.type !== 'string') {
    throw new Error(`${path}: needs exactly one type (a CRD cannot express unions)`);
  }
  if (typeof result.description !== 'string' || result.description === '') {
    throw new Error(`${path}: every field needs a description (zod .describe())`);
  }
  return result as StructuralSchema;
}

/**
 * The Kubernetes structural schema of a zod schema: the JSON Schema zod emits for *input*
 * (so fields with a default are optional and carry `default:`, which the API server then
 * applies), cleaned of what Kubernetes rejects. Throws, naming the field, when the zod schema
 * uses something a CRD cannot express (unions, records, refs) or a field lacks a description.
 */
export function structuralSchema(schema: z.ZodType, path = 'schema'): StructuralSchema {
  return structural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }), path);
}
