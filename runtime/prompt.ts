/**
 * Prompt rendering. Prompts are handlebars templates compiled once per agent on a private
 * handlebars instance (helpers registered there cannot leak into, or be replaced by, anyone
 * else's), with `strict` on — a variable the template names but the activation lacks is an error,
 * not an empty string the model silently never sees — and HTML escaping off: a prompt is text for
 * a model, and `&lt;` in a code diff would change what the model reads.
 */
import Handlebars from 'handlebars';
import type { Schema } from './definition.js';

export type PromptVariables = Record<string, unknown>;

export class PromptError extends Error {
  override readonly name = 'PromptError';
  /** Rendering is deterministic: asking the model again cannot fix a template. */
  readonly retryable = false;
  constructor(
    readonly agent: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`prompt of ${agent}: ${message}`);
  }
}

const handlebars = Handlebars.create();

/** `{{json value}}`: the value as pretty JSON (objects in a prompt are otherwise `[object Object]`). */
handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null, null, 2));

/** `{{join list ", "}}`: the items of a list joined with a separator (default `, `). */
handlebars.registerHelper('join', (list: unknown, ...rest: unknown[]) => {
  // Handlebars passes its options object last; a separator, when given, comes before it.
  const separator = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : ', ';
  if (list === null || list === undefined) return '';
  if (!Array.isArray(list)) return String(list);
  return list.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(separator);
});

export interface PromptTemplate {
  readonly agent: string;
  readonly source: string;
  render(variables: PromptVariables): string;
}

/**
 * Parses the template now, so a syntax error surfaces when the team is created rather than in the
 * middle of a run, and compiles it once.
 */
export function compilePrompt(agent: string, source: string): PromptTemplate {
  try {
    handlebars.parse(source);
  } catch (error) {
    throw new PromptError(agent, `template does not parse: ${(error as Error).message}`, error);
  }
  const template = handlebars.compile<PromptVariables>(source, { strict: true, noEscape: true });
  return {
    agent,
    source,
    render(variables) {
      try {
        return template(variables);
      } catch (error) {
        throw new PromptError(agent, (error as Error).message, error);
      }
    },
  };
}

/**
 * Strict mode treats an absent key as an error, but zod drops optional fields that were not
 * given, and a template rightly writes `{{#if review.note}}` for them. So before rendering, every
 * optional field the schema declares is made present (as `undefined`), walking objects, arrays,
 * optionals, nullables and unions. A field the schema does not declare stays absent: that is the
 * typo strict mode exists to catch.
 */
export function withDeclaredFields(schema: Schema | undefined, value: unknown): unknown {
  if (schema === undefined || value === null || value === undefined) return value;
  const def = (schema as unknown as { _zod?: { def?: ZodDef } })._zod?.def;
  if (!def) return value;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return withDeclaredFields(def.innerType, value);
    case 'pipe':
      return withDeclaredFields(def.out, value);
    case 'array':
      return Array.isArray(value) ? value.map((item) => withDeclaredFields(def.element, item)) : value;
    case 'union': {
      // The first option that accepts the value decides its shape.
      const option = def.options?.find((candidate) => candidate.safeParse(value).success);
      return option ? withDeclaredFields(option, value) : value;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const record = value as Record<string, unknown>;
      const filled: Record<string, unknown> = { ...record };
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        filled[key] = key in record ? withDeclaredFields(field, record[key]) : undefined;
      }
      return filled;
    }
    default:
      return value;
  }
}

interface ZodDef {
  type: string;
  innerType?: Schema;
  out?: Schema;
  element?: Schema;
  options?: Schema[];
  shape?: Record<string, Schema>;
}
