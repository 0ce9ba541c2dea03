// Request validation with TypeBox's compiler (JSON Schema 2020-12, every error reported, same
// error objects as Ajv: instancePath, keyword, params, message).
//
// - Bodies are checked as sent: no type coercion, so `"amount": "100"` or `"amount": null` is a
//   400, never a silently converted number. Defaults declared in the schema are filled in.
// - Query strings, path parameters and headers arrive as text and are converted to the declared
//   types first (`?limit=5` becomes 5), then defaulted and checked.
// - Unknown properties are rejected wherever a schema says `additionalProperties: false`
//   (every request body and query string here): a typo is an error, not a silent no-op.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { FieldError } from '../problem.ts';

export type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** An absent (or null) body stands for `{}` when the body schema is an object with no required fields. */
function acceptsEmptyBody(schema: TSchema): boolean {
  const { type, required } = schema as { type?: unknown; required?: unknown };
  return type === 'object' && (!Array.isArray(required) || required.length === 0);
}

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  const fromText = httpPart !== 'body';
  const emptyBody = httpPart === 'body' && acceptsEmptyBody(schema);
  return (input: unknown) => {
    let value = input;
    // Fastify hands an absent body over as null.
    if ((value === undefined || value === null) && emptyBody) value = {};
    if (fromText) value = Value.Convert(schema, value);
    value = Value.Default(schema, value);
    if (validator.Check(value)) return { value };
    return { error: validator.Errors(value) as unknown as FastifySchemaValidationError[] };
  };
};

/** `/lines/0/amount` → `lines[0].amount`; the empty pointer names the part itself. */
export function pointerToField(pointer: string, part: string): string {
  if (pointer === '' || pointer === '/') return part;
  let field = '';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(segment)) field += `[${segment}]`;
    else field += field === '' ? segment : `.${segment}`;
  }
  return field;
}

function joinField(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

const PART_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

function describe(error: FastifySchemaValidationError): string {
  const { params } = error;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'const' && 'allowedValue' in params)
    return `must be ${JSON.stringify(params.allowedValue)}`;
  return error.message ?? 'is invalid';
}

/** Schema errors as one `{ field, message }` per offending field and problem, in report order. */
export function fieldErrors(
  errors: readonly FastifySchemaValidationError[],
  part: string,
): FieldError[] {
  const partName = PART_NAMES[part] ?? part;
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (field: string, message: string) => {
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ field, message });
  };
  // A failed anyOf (e.g. string-or-null) reports each branch, then itself: say it once.
  const anyOfBranches = new Map<string, FastifySchemaValidationError[]>();
  for (const error of errors) {
    const branch = /^(.*)\/anyOf\/\d+(?:\/.*)?$/.exec(error.schemaPath)?.[1];
    if (branch !== undefined)
      anyOfBranches.set(branch, [...(anyOfBranches.get(branch) ?? []), error]);
  }
  for (const error of errors) {
    const at = error.instancePath === '' ? '' : pointerToField(error.instancePath, partName);
    const field = at === '' ? partName : at;
    const { params } = error;
    if (error.keyword === 'required') {
      const missing = (params.requiredProperties ?? params.missingProperty) as
        string[] | string | undefined;
      for (const name of [missing ?? []].flat()) push(joinField(at, name), 'is required');
    } else if (error.keyword === 'additionalProperties') {
      const extra = (params.additionalProperties ?? params.additionalProperty) as
        string[] | string | undefined;
      for (const name of [extra ?? []].flat()) push(joinField(at, name), 'is not a known property');
    } else if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
      // TypeBox reports an unknown property twice; the additionalProperties error names it.
      continue;
    } else if (/\/anyOf\/\d+/.test(error.schemaPath)) {
      continue; // summarised by the anyOf error below
    } else if (error.keyword === 'anyOf') {
      const branches = anyOfBranches.get(error.schemaPath) ?? [];
      const types = branches
        .filter((b) => b.keyword === 'type')
        .map((b) => String((b.params as { type?: unknown }).type));
      push(
        field,
        types.length === branches.length && types.length > 0
          ? `must be ${types.join(' or ')}`
          : 'does not match any allowed form',
      );
    } else {
      push(field, describe(error));
    }
  }
  return out;
}

export default fp(
  (app, _options, done) => {
    app.setValidatorCompiler(validatorCompiler);
    done();
  },
  { name: 'billwright-validation', fastify: '5.x' },
);
