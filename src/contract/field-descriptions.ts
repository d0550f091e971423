/**
 * What each contract field is for, read from `models/contract.schema.json` (the committed JSON Schema; a test checks
 * it is what the zod schema generates), so that an error message can say it. Read from the file rather than
 * generated here: the worker validates contracts, and the schema generator would add its code to the worker bundle.
 */
import contractSchema from '../../models/contract.schema.json' with { type: 'json' };

type JsonSchemaNode = {
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
};

/**
 * The description the schema gives the field at `path`, so an error message
 * can say what the field is for; undefined when the path leads nowhere known.
 */
export function describeContractField(path: readonly PropertyKey[]): string | undefined {
  let nodes: JsonSchemaNode[] = [contractSchema as JsonSchemaNode];
  for (const key of path) {
    const next: JsonSchemaNode[] = [];
    for (const node of nodes.flatMap((n) => [n, ...(n.oneOf ?? []), ...(n.anyOf ?? [])])) {
      if (typeof key === 'number' && node.items !== undefined) next.push(node.items);
      else if (typeof key === 'string' && node.properties?.[key] !== undefined) next.push(node.properties[key]);
      else if (typeof key === 'string' && typeof node.additionalProperties === 'object')
        next.push(node.additionalProperties);
    }
    if (next.length === 0) return undefined;
    nodes = next;
  }
  return nodes.find((n) => n.description !== undefined)?.description;
}
