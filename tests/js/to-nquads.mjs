// Expand a JSON-LD document to N-Quads with jsonld.js, offline: any remote document load is an error.
import { readFileSync } from "node:fs";
import jsonld from "jsonld";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const documentLoader = async (url) => {
  throw new Error(`refused to fetch ${url}: hemokg's JSON-LD must be self-contained`);
};
const nquads = await jsonld.toRDF(doc, { format: "application/n-quads", documentLoader, safe: true });
process.stdout.write(nquads);
