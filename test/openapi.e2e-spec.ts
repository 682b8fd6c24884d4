import SwaggerParser from '@apidevtools/swagger-parser';
import { Document, RulesetDefinition, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { useTestApp } from './support/test-app';

/**
 * The OpenAPI document the app serves, held to two judges: swagger-parser's validation against
 * the OpenAPI schema, and Spectral's `spectral:oas` ruleset (tags declared, every operation
 * described, a 2xx for every route, valid examples, ...) with no error and no warning.
 */
describe('the OpenAPI document (e2e)', () => {
  const t = useTestApp();

  const served = async (): Promise<Record<string, unknown>> =>
    (await t.request({ method: 'GET', url: '/openapi.json' })).json();

  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await served();
    expect(document.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('passes Spectral spectral:oas with no result at all', async () => {
    const spectral = new Spectral();
    // As `extends: ["spectral:oas"]` in a ruleset file: its recommended rules.
    spectral.setRuleset({ extends: [oas as RulesetDefinition] });
    const results = await spectral.run(new Document(JSON.stringify(await served()), Json));
    const listed = results.map(
      (r) => `${r.code} (severity ${r.severity}) at ${r.path.join('.')}: ${r.message}`,
    );
    expect(listed).toEqual([]);
  });

  it('types every JSON answer and every input the routes validate', async () => {
    const document = (await served()) as {
      paths: Record<string, Record<string, OperationLike>>;
    };
    const untyped: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const content = response.content ?? {};
          if (Object.keys(content).length === 0) untyped.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(untyped).toEqual([]);
    const generate = document.paths['/api/v14/captions/generate'].post;
    const body = generate.requestBody?.content['application/json'].schema;
    expect(body).toMatchObject({
      additionalProperties: false,
      properties: { hashtag_count: { type: 'integer', default: 5 } },
    });
    const batch = document.paths['/api/v14/batch/generate'].post;
    expect(batch.requestBody?.content['application/json'].schema).toMatchObject({
      properties: { requests: { items: { required: ['content_description', 'style'] } } },
    });
  });
});

interface OperationLike {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
