import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderJsonSchema, SCHEMA_FILE_NAME } from "../src/config/json-schema.js";

// `npm run schema`: regenerate the committed JSON Schema from src/config/schema.ts.
const target = fileURLToPath(new URL(`../${SCHEMA_FILE_NAME}`, import.meta.url));
writeFileSync(target, renderJsonSchema());
console.log(`wrote ${SCHEMA_FILE_NAME}`);
