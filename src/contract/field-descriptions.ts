/**
 * What each contract field is for, read from the descriptions the zod schema gives its fields (`described` in
 * schema.ts), so that an error message can say it. Walking the schema itself, rather than the generated JSON
 * Schema, keeps one copy of those texts in the worker; a test checks both give the same at every field.
 */
import * as z from 'zod/mini';
import { modelContractSchema } from './schema.ts';

/** The definition of a schema node, as far as a walk down a path needs it. */
interface NodeDefinition {
  readonly type: string;
  readonly shape?: Record<string, z.ZodMiniType>;
  readonly element?: z.ZodMiniType;
  readonly innerType?: z.ZodMiniType;
  readonly options?: readonly z.ZodMiniType[];
  readonly valueType?: z.ZodMiniType;
}

function definition(node: z.ZodMiniType): NodeDefinition {
  return node._zod.def as NodeDefinition;
}

/** `node` and what it wraps (optional, nullable, default): the same field, whichever carries its description. */
function sameField(node: z.ZodMiniType): z.ZodMiniType[] {
  const inner = definition(node).innerType;
  return inner === undefined ? [node] : [node, ...sameField(inner)];
}

/** The nodes one step down `key` from `node`, through a union's options. */
function children(node: z.ZodMiniType, key: PropertyKey): z.ZodMiniType[] {
  return sameField(node).flatMap((n) => {
    const def = definition(n);
    if (def.options !== undefined) return def.options.flatMap((option) => children(option, key));
    if (typeof key === 'number' && def.element !== undefined) return [def.element];
    if (typeof key === 'string' && def.shape !== undefined && Object.hasOwn(def.shape, key))
      return [def.shape[key] as z.ZodMiniType];
    if (typeof key === 'string' && def.type === 'record' && def.valueType !== undefined) return [def.valueType];
    return [];
  });
}

/**
 * The description the schema gives the field at `path`, so an error message
 * can say what the field is for; undefined when the path leads nowhere known.
 */
export function describeContractField(path: readonly PropertyKey[]): string | undefined {
  let nodes: z.ZodMiniType[] = [modelContractSchema];
  for (const key of path) {
    nodes = nodes.flatMap((node) => children(node, key));
    if (nodes.length === 0) return undefined;
  }
  for (const node of nodes.flatMap(sameField)) {
    const description = z.globalRegistry.get(node)?.description;
    if (description !== undefined) return description;
  }
  return undefined;
}
