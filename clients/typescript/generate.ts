// Writes or checks clients/typescript/schema.d.ts: the client's types, generated from the committed
// OpenAPI document (openapi/openapi.json) by openapi-typescript.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';

export const specPath = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));
export const schemaPath = fileURLToPath(new URL('./schema.d.ts', import.meta.url));

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

/** The schema.d.ts text for `spec`: the same input always gives the same bytes. */
export async function generateClientSchema(spec: string = readFileSync(specPath, 'utf8')): Promise<string> {
  const document = JSON.parse(spec) as OpenAPI3;
  const ast = await openapiTS(document, {
    silent: true,
    // Uploads take and downloads give bytes: a Blob (or a File, which names it), not a string.
    transform(schemaObject) {
      if (schemaObject.format !== 'binary') return undefined;
      const nullable = 'nullable' in schemaObject && schemaObject.nullable === true;
      return nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
    },
  });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  const generated = await generateClientSchema();
  if (mode === 'write') {
    writeFileSync(schemaPath, generated);
    console.log(`wrote ${schemaPath}`);
  } else if (mode === 'check') {
    let committed = '';
    try {
      committed = readFileSync(schemaPath, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (committed !== generated) {
      console.error('clients/typescript/schema.d.ts is stale: run `npm run client` and commit the result.');
      process.exit(1);
    }
    console.log('clients/typescript/schema.d.ts is up to date');
  } else {
    console.error('usage: node clients/typescript/generate.ts write|check');
    process.exit(2);
  }
}
