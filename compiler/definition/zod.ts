/**
 * Checked model types → zod schema objects, for the definition `teamc run` and `teamc simulate`
 * build in memory. The mapping is the one `teamc build` prints as text (compiler/emit's
 * zod-type template), so an interpreted team validates exactly what its generated code would:
 * `int` is `z.int()`, a union of string literals is one `z.enum`, a record field written `name?: T`
 * or `name: T?` may be absent, an unresolved type accepts anything.
 *
 * Each named type becomes one schema object, shared by every place that names it; a reference
 * back into a declaration still being built (recursion) goes through `z.lazy`.
 */
import { z } from 'zod';
import type { Schema } from '../../runtime/definition.js';
import type { Type, TypeDeclarationModel } from '../model.js';

/** Builds schemas for the types of one team; named types are built once and shared. */
export class SchemaBuilder {
  private readonly named = new Map<TypeDeclarationModel, Schema>();
  private readonly building = new Set<TypeDeclarationModel>();

  schemaOf(type: Type): Schema {
    switch (type.kind) {
      case 'string':
        return z.string();
      case 'int':
        return z.int();
      case 'number':
        return z.number();
      case 'bool':
        return z.boolean();
      case 'unknown':
        return z.unknown();
      case 'literal':
        return z.literal(type.value);
      case 'array':
        return z.array(this.schemaOf(type.element));
      case 'optional':
        return this.schemaOf(type.inner).optional();
      case 'record': {
        const shape: Record<string, Schema> = {};
        for (const field of type.fields) {
          // `name: T?` and `name?: T` both mean the key may be absent (JSON has no undefined).
          const inner = field.type.kind === 'optional' ? field.type.inner : field.type;
          const schema = this.schemaOf(inner);
          shape[field.name] = field.optional || field.type.kind === 'optional' ? schema.optional() : schema;
        }
        return z.object(shape);
      }
      case 'union': {
        const members = flattenUnion(type.members);
        if (members.length > 0 && members.every((m) => m.kind === 'literal')) {
          const values = [...new Set(members.map((m) => (m as { value: string }).value))];
          return values.length === 1 ? z.literal(values[0]!) : z.enum(values as [string, ...string[]]);
        }
        if (members.length === 1) return this.schemaOf(members[0]!);
        if (members.length === 0) return z.never();
        return z.union(members.map((m) => this.schemaOf(m)) as [Schema, Schema, ...Schema[]]);
      }
      case 'named':
        return this.declared(type.declaration);
    }
  }

  private declared(declaration: TypeDeclarationModel): Schema {
    const built = this.named.get(declaration);
    if (built) return built;
    // A reference from inside its own body: the schema does not exist yet, so defer the lookup.
    if (this.building.has(declaration)) return z.lazy(() => this.named.get(declaration)!);
    this.building.add(declaration);
    const schema = this.schemaOf(declaration.type);
    this.building.delete(declaration);
    this.named.set(declaration, schema);
    return schema;
  }
}

/** One type's schema, outside any team (named types are still shared within the call). */
export function schemaOf(type: Type): Schema {
  return new SchemaBuilder().schemaOf(type);
}

function flattenUnion(members: Type[]): Type[] {
  return members.flatMap((m) => (m.kind === 'union' ? flattenUnion(m.members) : [m]));
}
