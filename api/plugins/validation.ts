// Request validation with TypeBox's compiler (JSON Schema 2020-12, every error reported, same
// error objects as Ajv: instancePath, keyword, params, message).
//
// - Bodies are checked as sent: no type coercion, so `"amount": "100"` or `"amount": null` is a
//   400, never a silently converted number. Defaults declared in the schema are filled in.
// - Query strings, path parameters and headers arrive as text and are converted to the declared
//   types first, strictly: a number from numeric text only (`?limit=5` is 5, `?limit=true` stays
//   text and fails), a boolean from `true` or `false` only; then defaulted and checked.
// - Every string anywhere in a request (path, query, body, and body keys) must be text: no NUL or
//   other C0 control character except tab, line feed and carriage return, no lone surrogate.
//   PostgreSQL cannot store them; they are a 400 naming the field, before any handler runs.
// - Every number in a request body is bounded by MAX_BODY_NUMBER (10^15) in magnitude, so no
//   amount in minor units can overflow the arithmetic that sums it (2^53 is about 9 × 10^15).
// - Unknown properties are rejected wherever a schema says `additionalProperties: false`
//   (every request body and query string here): a typo is an error, not a silent no-op.
import type {
  FastifyRequest,
  FastifySchemaCompiler,
  FastifySchemaValidationError,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { Problem, type FieldError } from '../problem.ts';
import { MAX_BODY_NUMBER } from '../schemas/common.ts';

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
    if (fromText) value = convertText(schema, value);
    value = Value.Default(schema, value);
    if (validator.Check(value)) return { value };
    return { error: validator.Errors(value) as unknown as FastifySchemaValidationError[] };
  };
};

type SchemaNode = Record<string | symbol, unknown> & {
  type?: unknown;
  anyOf?: SchemaNode[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
};

/** The types a schema takes any value of, and the constants it takes (a literal is not "any string"). */
function typesOf(
  schema: SchemaNode,
  types = new Set<string>(),
  consts = new Set<unknown>(),
): { types: Set<string>; consts: Set<unknown> } {
  if ('const' in schema) consts.add(schema.const);
  else for (const t of [schema.type ?? []].flat()) if (typeof t === 'string') types.add(t);
  for (const branch of schema.anyOf ?? []) typesOf(branch, types, consts);
  return { types, consts };
}

const NUMERIC_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Text (query, path, headers) to the declared types, strictly: unlike a general coercion, `true`
 * never becomes 1 and `` never becomes 0; what does not convert stays text and fails its check.
 */
export function convertText(schema: TSchema, value: unknown): unknown {
  const node = schema as SchemaNode;
  const items = node.items;
  if (Array.isArray(value)) return items ? value.map((item) => convertText(items, item)) : value;
  if (value !== null && typeof value === 'object') {
    if (!node.properties) return value;
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, sub] of Object.entries(node.properties))
      if (key in out) out[key] = convertText(sub, out[key]);
    return out;
  }
  if (typeof value !== 'string') return value;
  const { types, consts } = typesOf(node);
  if (types.has('string') || consts.has(value)) return value;
  if ((types.has('integer') || types.has('number')) && NUMERIC_TEXT.test(value))
    return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if (types.has('array') && items) return [convertText(items, value)];
  return value;
}

// C0 controls but tab, LF and CR; DEL; a high surrogate not followed by a low one, or a low one
// not preceded by a high one.
const NOT_TEXT =
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

function textProblem(text: string): string | undefined {
  const found = NOT_TEXT.exec(text)?.[0];
  if (found === undefined) return undefined;
  const code = found.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) return 'must be valid Unicode text (a lone surrogate)';
  return `must not contain control characters (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** Every string in `value` (keys too) that is not text, as `{ field, message }`, field first. */
export function invalidText(value: unknown, field: string, out: FieldError[] = []): FieldError[] {
  if (typeof value === 'string') {
    const message = textProblem(value);
    if (message) out.push({ field, message });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => invalidText(item, `${field}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const keyProblem = textProblem(key);
      // A key that is not text cannot be named as it is: name it escaped.
      const name = keyProblem ? JSON.stringify(key).slice(1, -1) : key;
      const at = field === '' ? name : `${field}.${name}`;
      if (keyProblem) out.push({ field: at, message: `is a property name that ${keyProblem}` });
      else invalidText(item, at, out);
    }
  }
  return out;
}

/**
 * Fastify hands over an absent body and a JSON `null` body alike, as null; only the latter was
 * sent (it has a length). `null` is never a request here: without this, a route whose body has
 * no required field would take it for `{}`.
 */
function rejectNullBody(request: FastifyRequest): void {
  if (request.body !== null) return;
  const length = Number(request.headers['content-length'] ?? 0);
  if (length === 0 && request.headers['transfer-encoding'] === undefined) return;
  throw new Problem({
    status: 400,
    slug: 'validation-error',
    title: 'Invalid request',
    detail: 'body: must be an object, or left out',
    errors: [{ field: 'body', message: 'must be an object, or left out' }],
  });
}

/** Path, query and body checked for text, in the order validation reports them. */
function rejectInvalidText(request: FastifyRequest): void {
  const errors = [
    ...invalidText(request.params, ''),
    ...invalidText(request.body, typeof request.body === 'string' ? 'body' : ''),
    ...invalidText(request.query, ''),
  ];
  if (errors.length === 0) return;
  throw new Problem({
    status: 400,
    slug: 'validation-error',
    title: 'Invalid request',
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

/**
 * A copy of a body schema in which every number is at most MAX_BODY_NUMBER in magnitude (a
 * schema's own tighter bounds stay). A copy: the same schemas describe responses, which may be
 * larger (a total of many amounts).
 */
export function boundNumbers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(boundNumbers);
  if (schema === null || typeof schema !== 'object') return schema;
  // All own properties, TypeBox's non-enumerable markers (`~kind`, `~optional`) included.
  const node = Object.defineProperties({}, Object.getOwnPropertyDescriptors(schema)) as Record<
    string,
    unknown
  >;
  for (const key of Object.keys(node)) {
    if (key === 'default' || key === 'examples' || key === 'const' || key === 'enum') continue;
    node[key] = boundNumbers(node[key]);
  }
  const types = [node.type ?? []].flat();
  if (types.includes('integer') || types.includes('number')) {
    if (typeof node.maximum !== 'number' || node.maximum > MAX_BODY_NUMBER)
      node.maximum = MAX_BODY_NUMBER;
    if (typeof node.minimum !== 'number' || node.minimum < -MAX_BODY_NUMBER)
      node.minimum = -MAX_BODY_NUMBER;
  }
  return node;
}

function boundBodyNumbers(route: RouteOptions): void {
  if (route.schema?.body) route.schema.body = boundNumbers(route.schema.body);
}

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
    app.addHook('onRoute', boundBodyNumbers);
    app.addHook('preValidation', (request, _reply, next) => {
      try {
        rejectNullBody(request);
        rejectInvalidText(request);
        next();
      } catch (error) {
        next(error as Error);
      }
    });
    done();
  },
  { name: 'billwright-validation', fastify: '5.x' },
);
