// Input validation with the service's constraint messages. AWS (Coral) reports constraint violations
// as InvalidArgumentException-style messages such as
//   1 validation error detected: Value 'x y' at 'streamName' failed to satisfy constraint: Member must
//   satisfy regular expression pattern: [a-zA-Z0-9_.-]+
// where the member path starts lower-case. Values of the wrong JSON type are SerializationException.
// The shape rules below are those of the kinesisvideo model (botocore service-2.json).
import { KvsError } from '../http/errors';

export type JsonObject = Record<string, unknown>;

export interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** The model's pattern text; the whole value must match it. */
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export interface IntegerRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface CollectionRule<T> {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly item: T;
}

export interface MapRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly key: StringRule;
  readonly value: StringRule;
}

// Shapes of the kinesisvideo model.
export const STREAM_NAME: StringRule = { min: 1, max: 256, pattern: '[a-zA-Z0-9_.-]+' };
export const RESOURCE_ARN: StringRule = { min: 1, max: 1024, pattern: 'arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+' };
export const DEVICE_NAME: StringRule = { min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const MEDIA_TYPE: StringRule = { min: 1, max: 128, pattern: '[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+(,[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+)*' };
export const KMS_KEY_ID: StringRule = { min: 1, max: 2048, pattern: '.+' };
export const VERSION: StringRule = { min: 1, max: 64, pattern: '[a-zA-Z0-9]+' };
export const NEXT_TOKEN: StringRule = { min: 0, max: 1024, pattern: '[a-zA-Z0-9+/=]*' };
export const TAG_KEY: StringRule = { min: 1, max: 128, pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$' };
export const TAG_VALUE: StringRule = { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };
export const RESOURCE_TAGS: MapRule = { min: 1, max: 50, key: TAG_KEY, value: TAG_VALUE };
export const TAG_KEY_LIST: CollectionRule<StringRule> = { min: 1, max: 50, item: TAG_KEY };
/** Longest retention the service allows (ten years). */
export const MAX_DATA_RETENTION_HOURS = 87600;

const compiled = new Map<string, RegExp>();

function fullMatch(pattern: string, value: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, regex);
  }
  return regex.test(value);
}

function lowerFirst(name: string): string {
  return name.length === 0 ? name : name.charAt(0).toLowerCase() + name.slice(1);
}

/** How Coral prints a value in a constraint message (Java toString style). */
function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(display).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${display(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects constraint violations of one request; finish() throws them as one InvalidArgumentException. */
export class Validator {
  constructor(
    private readonly input: JsonObject,
    private readonly prefix = '',
    private readonly violations: string[] = [],
  ) {}

  /** The parsed request body as an object, or a SerializationException. */
  static of(body: unknown): Validator {
    if (body === undefined) return new Validator({});
    if (!isJsonObject(body)) throw new KvsError('SerializationException', `The request body must be a JSON object, got ${typeName(body)}.`);
    return new Validator(body);
  }

  /** Adds a violation of `constraint` by `value` at member `member` (a JSON member name). */
  violation(member: string, value: unknown, constraint: string): void {
    this.violations.push(`Value ${value === undefined || value === null ? 'null' : `'${display(value)}'`} at '${this.path(member)}' failed to satisfy constraint: ${constraint}`);
  }

  get hasViolations(): boolean {
    return this.violations.length > 0;
  }

  string(member: string, rule: StringRule): string | undefined {
    const value = this.present(member, rule.required);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.wrongType(member, 'a string', value);
    const problems = stringProblems(value, rule);
    for (const problem of problems) this.violation(member, value, problem);
    return problems.length === 0 ? value : undefined;
  }

  integer(member: string, rule: IntegerRule): number | undefined {
    const value = this.present(member, rule.required);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.wrongType(member, 'an integer', value);
    let ok = true;
    if (rule.min !== undefined && value < rule.min) {
      this.violation(member, value, `Member must have value greater than or equal to ${rule.min}`);
      ok = false;
    }
    if (rule.max !== undefined && value > rule.max) {
      this.violation(member, value, `Member must have value less than or equal to ${rule.max}`);
      ok = false;
    }
    return ok ? value : undefined;
  }

  boolean(member: string, required = false): boolean | undefined {
    const value = this.present(member, required);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.wrongType(member, 'a boolean', value);
    return value;
  }

  /** A nested structure, validated by the returned Validator (its violations join this one's). */
  object(member: string, required = false): Validator | undefined {
    const value = this.present(member, required);
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) throw this.wrongType(member, 'an object', value);
    return new Validator(value, `${this.path(member)}.`, this.violations);
  }

  stringMap(member: string, rule: MapRule): Record<string, string> | undefined {
    const value = this.present(member, rule.required);
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) throw this.wrongType(member, 'a map of strings', value);
    const entries = Object.entries(value);
    let ok = this.checkCount(member, value, entries.length, rule);
    const keyProblems = new Set<string>();
    const valueProblems = new Set<string>();
    const result: Record<string, string> = {};
    for (const [key, item] of entries) {
      if (typeof item !== 'string') throw this.wrongType(`${member}.${key}`, 'a string', item);
      for (const problem of stringProblems(key, rule.key)) keyProblems.add(problem);
      for (const problem of stringProblems(item, rule.value)) valueProblems.add(problem);
      result[key] = item;
    }
    if (keyProblems.size > 0) this.violation(member, value, `Map keys must satisfy constraint: [${[...keyProblems].join(', ')}]`);
    if (valueProblems.size > 0) this.violation(member, value, `Map values must satisfy constraint: [${[...valueProblems].join(', ')}]`);
    ok = ok && keyProblems.size === 0 && valueProblems.size === 0;
    return ok ? result : undefined;
  }

  stringList(member: string, rule: CollectionRule<StringRule>): string[] | undefined {
    const value = this.present(member, rule.required);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.wrongType(member, 'a list', value);
    let ok = this.checkCount(member, value, value.length, rule);
    const result: string[] = [];
    value.forEach((item: unknown, index) => {
      const itemMember = `${member}.${index + 1}.member`;
      if (typeof item !== 'string') throw this.wrongType(itemMember, 'a string', item);
      for (const problem of stringProblems(item, rule.item)) {
        this.violation(itemMember, item, problem);
        ok = false;
      }
      result.push(item);
    });
    return ok ? result : undefined;
  }

  /** A list of structures; each is validated by its own Validator (member path 'tags.1.member.key'). */
  objectList(member: string, rule: { required?: boolean; min?: number; max?: number }): Validator[] | undefined {
    const value = this.present(member, rule.required);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.wrongType(member, 'a list', value);
    const ok = this.checkCount(member, value, value.length, rule);
    const items = value.map((item: unknown, index) => {
      const itemMember = `${member}.${index + 1}.member`;
      if (!isJsonObject(item)) throw this.wrongType(itemMember, 'an object', item);
      return new Validator(item, `${this.path(itemMember)}.`, this.violations);
    });
    return ok ? items : undefined;
  }

  /** Throws InvalidArgumentException with every violation collected so far. */
  finish(): void {
    const count = this.violations.length;
    if (count === 0) return;
    throw new KvsError('InvalidArgumentException', `${count} validation error${count === 1 ? '' : 's'} detected: ${this.violations.join('; ')}`);
  }

  private path(member: string): string {
    return this.prefix + lowerFirst(member);
  }

  private present(member: string, required: boolean | undefined): unknown {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (required === true) this.violation(member, undefined, 'Member must not be null');
      return undefined;
    }
    return value;
  }

  private checkCount(member: string, value: unknown, count: number, rule: { min?: number; max?: number }): boolean {
    if (rule.min !== undefined && count < rule.min) {
      this.violation(member, value, `Member must have length greater than or equal to ${rule.min}`);
      return false;
    }
    if (rule.max !== undefined && count > rule.max) {
      this.violation(member, value, `Member must have length less than or equal to ${rule.max}`);
      return false;
    }
    return true;
  }

  private wrongType(member: string, expected: string, value: unknown): KvsError {
    return new KvsError('SerializationException', `Cannot read '${this.prefix}${member}': expected ${expected}, got ${typeName(value)}.`);
  }
}

function stringProblems(value: string, rule: StringRule): string[] {
  const problems: string[] = [];
  const length = [...value].length;
  if (rule.min !== undefined && length < rule.min) problems.push(`Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && length > rule.max) problems.push(`Member must have length less than or equal to ${rule.max}`);
  if (rule.enum !== undefined && !rule.enum.includes(value)) problems.push(`Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
  if (rule.pattern !== undefined && length > 0 && !fullMatch(rule.pattern, value)) problems.push(`Member must satisfy regular expression pattern: ${rule.pattern}`);
  return problems;
}

/** A stream named by StreamName and/or StreamARN (as every stream-scoped operation takes it). */
export interface StreamRef {
  readonly streamName?: string;
  readonly streamARN?: string;
}

/**
 * Reads StreamName/StreamARN. Call v.finish() afterwards; then, when `required`, a request naming
 * neither is an InvalidArgumentException (thrown by requireStreamRef).
 */
export function readStreamRef(v: Validator): StreamRef {
  const streamName = v.string('StreamName', STREAM_NAME);
  const streamARN = v.string('StreamARN', RESOURCE_ARN);
  return { ...(streamName !== undefined && { streamName }), ...(streamARN !== undefined && { streamARN }) };
}

/** Throws InvalidArgumentException unless the request names a stream. */
export function requireStreamRef(ref: StreamRef): void {
  if (ref.streamName === undefined && ref.streamARN === undefined) {
    throw new KvsError('InvalidArgumentException', 'You must specify either the StreamName or the StreamARN.');
  }
}
