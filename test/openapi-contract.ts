import { Ajv, type ValidateFunction } from 'ajv';

/** The slice of an OpenAPI 3.0 document the contract check reads. */
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
}

export interface Contract {
  /** Problems with one response against the document; empty when it conforms. */
  check(response: { method: string; path: string; status: number; contentType: string | null; body: unknown }): string[];
  /** `METHOD /template` for every operation the document describes. */
  operations(): string[];
}

function templateToRegExp(template: string): RegExp {
  const pattern = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
  return new RegExp(`^${pattern}$`);
}

/**
 * Seed 001 s2: a partner's generated SDK broke on a field the spec did not list. Every
 * response a test gets is held to /openapi.json: an undocumented status, content type or
 * field is a failure.
 */
export function contractFrom(document: unknown): Contract {
  const doc = document as OpenApiDocument;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const compiled = new Map<object, ValidateFunction>();
  const validator = (schema: object) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      compiled.set(schema, validate);
    }
    return validate;
  };
  const templates = Object.keys(doc.paths).map((template) => ({ template, regexp: templateToRegExp(template) }));

  return {
    operations: () => Object.entries(doc.paths).flatMap(([template, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${template}`)),
    check({ method, path, status, contentType, body }) {
      const where = `${method} ${path} → ${status}`;
      const template = templates.find((candidate) => candidate.regexp.test(path.split('?')[0] as string))?.template;
      if (!template) return [`${where}: the path is not in the document`];
      const operation = doc.paths[template]?.[method.toLowerCase()];
      if (!operation) return [`${where}: the method is not in the document for ${template}`];
      const responses = operation.responses ?? {};
      const described = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
      if (!described) return [`${where}: the status is not in the document`];
      if (!described.content) return body === undefined || body === '' ? [] : [`${where}: the document says there is no body`];
      const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
      const media = described.content[mediaType];
      if (!media) return [`${where}: content type "${mediaType}" is not documented (${Object.keys(described.content).join(', ')})`];
      if (!media.schema) return [];
      const validate = validator(media.schema);
      if (validate(body)) return [];
      return (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || '(body)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
    },
  };
}
