// Generates src/formats/matroska/elementTable.ts from the Matroska specification's machine-readable
// element table (ebml_matroska.xml, an RFC 8794 EBML schema), plus the EBML header and global
// elements of RFC 8794 that the Matroska schema does not list.
//   node scripts/generate-matroska-table.mjs [--check] [path/to/ebml_matroska.xml]
// The output is committed, so a fresh clone builds without the XML. --check writes nothing and fails
// when the committed file differs from what the XML gives.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const checkOnly = args.includes('--check');
const xmlPath = args.find((arg) => !arg.startsWith('--')) ?? join(repoRoot, '../shared/spec/ebml_matroska.xml');
const outPath = join(repoRoot, 'src/formats/matroska/elementTable.ts');

const TYPES = new Set(['master', 'uinteger', 'integer', 'float', 'string', 'utf-8', 'date', 'binary']);

// RFC 8794 §11.2 (EBML header) and §11.3 (global elements). Paths use the schema's own notation.
const EBML_HEADER_ELEMENTS = [
  { name: 'EBML', path: '\\EBML', id: 0x1a45dfa3, type: 'master' },
  { name: 'EBMLVersion', path: '\\EBML\\EBMLVersion', id: 0x4286, type: 'uinteger', default: '1', notZero: true },
  { name: 'EBMLReadVersion', path: '\\EBML\\EBMLReadVersion', id: 0x42f7, type: 'uinteger', default: '1', notZero: true },
  { name: 'EBMLMaxIDLength', path: '\\EBML\\EBMLMaxIDLength', id: 0x42f2, type: 'uinteger', default: '4' },
  { name: 'EBMLMaxSizeLength', path: '\\EBML\\EBMLMaxSizeLength', id: 0x42f3, type: 'uinteger', default: '8', notZero: true },
  { name: 'DocType', path: '\\EBML\\DocType', id: 0x4282, type: 'string', notZero: true },
  { name: 'DocTypeVersion', path: '\\EBML\\DocTypeVersion', id: 0x4287, type: 'uinteger', default: '1', notZero: true },
  { name: 'DocTypeReadVersion', path: '\\EBML\\DocTypeReadVersion', id: 0x4285, type: 'uinteger', default: '1', notZero: true },
  { name: 'DocTypeExtension', path: '\\EBML\\DocTypeExtension', id: 0x4281, type: 'master' },
  { name: 'DocTypeExtensionName', path: '\\EBML\\DocTypeExtension\\DocTypeExtensionName', id: 0x4283, type: 'string', notZero: true },
  { name: 'DocTypeExtensionVersion', path: '\\EBML\\DocTypeExtension\\DocTypeExtensionVersion', id: 0x4284, type: 'uinteger', notZero: true },
  { name: 'CRC-32', path: '\\(1-\\)CRC-32', id: 0xbf, type: 'binary', length: 4 },
  { name: 'Void', path: '\\(-\\)Void', id: 0xec, type: 'binary' },
];

function decodeXmlText(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function readAttributes(tag) {
  const attributes = {};
  for (const match of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/g)) {
    attributes[match[1]] = decodeXmlText(match[2]);
  }
  return attributes;
}

/** C99 hexadecimal float ("0x1.f4p+12") or a decimal number. */
function parseNumber(text) {
  const hex = /^([+-]?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(text.trim());
  if (!hex) return Number(text);
  const [, sign, whole, fraction = '', exponent] = hex;
  const mantissa = parseInt(whole + fraction || '0', 16) / 16 ** fraction.length;
  return (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exponent);
}

function readSchemaElements(xml) {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  const elements = [];
  for (const match of withoutComments.matchAll(/<element\s[^>]*>/g)) {
    const a = readAttributes(match[0]);
    if (!a.name || !a.path || !a.id || !TYPES.has(a.type)) {
      throw new Error(`Unreadable element declaration: ${match[0].slice(0, 120)}`);
    }
    const range = a.range?.replace(/\s+/g, '');
    elements.push({
      name: a.name,
      path: a.path,
      id: Number.parseInt(a.id, 16),
      type: a.type,
      default: a.default,
      length: a.length === undefined ? undefined : Number(a.length),
      notZero: range === 'not0' || range === '>0x0p+0' || range === '>0',
      unknownSizeAllowed: a.unknownsizeallowed === '1',
      recursive: a.recursive === '1',
    });
  }
  return elements;
}

/** Path components without the recursion marker, and whether the element is global ("\(1-\)CRC-32"). */
function splitPath(path) {
  const global = /^\\\(\d*-\d*\\\)/.test(path);
  const rest = global ? path.replace(/^\\\(\d*-\d*\\\)/, '') : path.slice(1);
  return { global, parts: rest.split('\\').map((part) => part.replace(/^\+/, '')) };
}

function buildRows(xmlElements) {
  const byId = new Map();
  for (const element of [...EBML_HEADER_ELEMENTS, ...xmlElements]) {
    // The Matroska schema restates EBMLMaxIDLength and EBMLMaxSizeLength with its own constraints: one
    // row per id, the Matroska attributes winning.
    byId.set(element.id, { ...byId.get(element.id), ...element });
  }
  const byPath = new Map();
  for (const element of byId.values()) byPath.set(splitPath(element.path).parts.join('\\'), element);

  return [...byId.values()].map((element) => {
    const { global, parts } = splitPath(element.path);
    const parent = global || parts.length < 2 ? undefined : byPath.get(parts.slice(0, -1).join('\\'));
    if (!global && parts.length >= 2 && !parent) throw new Error(`No parent for ${element.path}`);
    return { ...element, global, parentId: parent ? parent.id : null };
  });
}

function defaultLiteral(element) {
  if (element.default === undefined) return undefined;
  if (element.type === 'string' || element.type === 'utf-8') return JSON.stringify(element.default);
  if (element.type === 'uinteger' || element.type === 'integer' || element.type === 'float') {
    const value = parseNumber(element.default);
    if (!Number.isFinite(value)) throw new Error(`Bad default ${element.default} for ${element.name}`);
    return String(value);
  }
  return undefined; // date and binary defaults are not used
}

function rowSource(row) {
  const fields = [
    `id: 0x${row.id.toString(16).toUpperCase()}`,
    `name: ${JSON.stringify(row.name)}`,
    `type: '${row.type}'`,
    `path: ${JSON.stringify(row.path)}`,
    `parentId: ${row.parentId === null ? 'null' : `0x${row.parentId.toString(16).toUpperCase()}`}`,
  ];
  const fallback = defaultLiteral(row);
  if (fallback !== undefined) fields.push(`default: ${fallback}`);
  if (row.length !== undefined) fields.push(`length: ${row.length}`);
  if (row.notZero) fields.push('notZero: true');
  if (row.unknownSizeAllowed) fields.push('unknownSizeAllowed: true');
  if (row.recursive) fields.push('recursive: true');
  if (row.global) fields.push('global: true');
  return `  { ${fields.join(', ')} },`;
}

function identifier(name) {
  return name.replace(/[^A-Za-z0-9_]/g, '');
}

const xml = readFileSync(xmlPath, 'utf8');
const xmlSha256 = createHash('sha256').update(xml).digest('hex');
const rows = buildRows(readSchemaElements(xml));
const source = `// Generated by scripts/generate-matroska-table.mjs; do not edit by hand.
// Regenerate from the repository root: node scripts/generate-matroska-table.mjs [path/to/ebml_matroska.xml]
// (default ../shared/spec/ebml_matroska.xml).
//
// Element ids, names, types and paths come from the Matroska specification's element table
// (ebml_matroska.xml, RFC 9559) by the IETF CELLAR working group, licensed under Creative Commons
// Attribution 4.0 (https://github.com/ietf-wg-cellar/matroska-specification), plus the EBML header and
// global elements of RFC 8794 (Extensible Binary Meta Language).
// Generated from the ebml_matroska.xml whose SHA-256 is ${xmlSha256}.
import type { ElementSpecRow } from '../ebml/schema';

export const MATROSKA_ELEMENTS: readonly ElementSpecRow[] = [
${rows.map(rowSource).join('\n')}
];

/** Element ids by specification name ("CRC-32" becomes CRC32). */
export const ElementId = {
${rows.map((row) => `  ${identifier(row.name)}: 0x${row.id.toString(16).toUpperCase()},`).join('\n')}
} as const;
`;
if (checkOnly) {
  let current = '';
  try {
    current = readFileSync(outPath, 'utf8');
  } catch {
    // missing counts as different
  }
  if (current !== source) {
    console.error(`${relative(repoRoot, outPath)} is out of date; run node scripts/generate-matroska-table.mjs`);
    process.exit(1);
  }
  console.log(`${relative(repoRoot, outPath)} is up to date (${rows.length} elements).`);
  process.exit(0);
}
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, source);
console.log(`Wrote ${relative(repoRoot, outPath)}: ${rows.length} elements from ${xmlPath}`);
