import { InvalidParamError } from '@cos/contracts';
import type { ElementTarget } from './page-element';
import type { FillField, UploadFile } from './page-inspection';
import type { ActionName } from './element-actions';

const FILES_MAX = 20;
const UPLOAD_MAX_BYTES = 12 * 1024 * 1024;
const FIELDS_MAX = 100;
const STORAGE_KEYS_MAX = 1_000;
const STORAGE_VALUE_MAX = 5 * 1024 * 1024;
const FILE_NAME = /^[^/\\\0]{1,200}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const REF = /^(?:f\d{1,6})?e\d{1,9}$/;

/** Exactly one of ref and selector; `nth` picks a later match of a selector. */
export function targetOf(input: { ref?: unknown; selector?: unknown; nth?: unknown }, where = ''): ElementTarget {
  const at = (field: string) => (where ? `${where}.${field}` : field);
  if ((input.ref === undefined) === (input.selector === undefined))
    throw new InvalidParamError(`${where || 'the element'}: give exactly one of ref and selector`);
  if (input.ref !== undefined) {
    if (typeof input.ref !== 'string' || !REF.test(input.ref))
      throw new InvalidParamError(`${at('ref')} must be a snapshot ref such as e12 or f1e7`);
    if (input.nth !== undefined) throw new InvalidParamError(`${at('nth')} goes with selector, not ref`);
    return { ref: input.ref };
  }
  if (typeof input.selector !== 'string' || input.selector.length === 0 || input.selector.length > 1000) {
    throw new InvalidParamError(`${at('selector')} must be a CSS selector of 1 to 1000 characters`);
  }
  if (input.nth !== undefined && (!Number.isInteger(input.nth) || (input.nth as number) < 0 || (input.nth as number) > 10_000)) {
    throw new InvalidParamError(`${at('nth')} must be an integer from 0 to 10000`);
  }
  return { selector: input.selector, ...(input.nth !== undefined ? { nth: input.nth as number } : {}) };
}

/** What each action needs and takes beside the element. */
const ACTION_FIELDS: Record<ActionName, { required: string[]; optional: string[] }> = {
  click: { required: [], optional: ['button', 'modifiers'] },
  dblclick: { required: [], optional: ['button', 'modifiers'] },
  hover: { required: [], optional: ['modifiers'] },
  focus: { required: [], optional: [] },
  type: { required: ['text'], optional: ['delayMs', 'submit'] },
  fill: { required: ['text'], optional: ['submit'] },
  press: { required: ['key'], optional: [] },
  select: { required: ['values'], optional: [] },
  check: { required: [], optional: [] },
  uncheck: { required: [], optional: [] },
  upload: { required: ['files'], optional: [] },
  drag: { required: ['to'], optional: ['button', 'modifiers'] },
};
const SHARED = new Set([
  'uuid',
  'config_uuid',
  'browserUuid',
  'browser_uuid',
  'id',
  'browserId',
  'browser_id',
  'tab',
  'ref',
  'selector',
  'nth',
  'action',
  'timeoutMs',
]);

/** The fields `dto` sends must be those of its action. */
export function checkActionFields(dto: object & { action: ActionName }): void {
  const { action } = dto;
  const body = dto as Record<string, unknown>;
  const { required, optional } = ACTION_FIELDS[action];
  for (const field of required) if (body[field] === undefined) throw new InvalidParamError(`${field} is required for ${action}`);
  for (const field of Object.keys(body)) {
    if (body[field] !== undefined && !SHARED.has(field) && !required.includes(field) && !optional.includes(field)) {
      throw new InvalidParamError(`${field} is not a field of ${action}`);
    }
  }
  if (action === 'select' && (body.values as unknown[]).length === 0) throw new InvalidParamError('values must name at least one option');
}

export function filesOf(raw: unknown): UploadFile[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > FILES_MAX)
    throw new InvalidParamError(`files must be an array of 1 to ${FILES_MAX} files`);
  let bytes = 0;
  const names = new Set<string>();
  return raw.map((file: unknown, index) => {
    const where = `files[${index}]`;
    if (typeof file !== 'object' || file === null || Array.isArray(file))
      throw new InvalidParamError(`${where} must be an object {name, data}`);
    const { name, data, ...rest } = file as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra) throw new InvalidParamError(`${where}.${extra} is not a field of a file (name, data)`);
    if (typeof name !== 'string' || !FILE_NAME.test(name) || name === '.' || name === '..') {
      throw new InvalidParamError(`${where}.name must be a file name of 1 to 200 characters, without / or \\`);
    }
    if (names.has(name)) throw new InvalidParamError(`${where}.name repeats ${JSON.stringify(name)}`);
    names.add(name);
    if (typeof data !== 'string' || !BASE64.test(data)) throw new InvalidParamError(`${where}.data must be the file's bytes in base64`);
    bytes += Math.floor((data.length * 3) / 4);
    if (bytes > UPLOAD_MAX_BYTES) throw new InvalidParamError(`files hold more than ${UPLOAD_MAX_BYTES} bytes`);
    return { name, data };
  });
}

export function fieldsOf(raw: unknown): FillField[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > FIELDS_MAX)
    throw new InvalidParamError(`fields must be an array of 1 to ${FIELDS_MAX} fields`);
  return raw.map((field: unknown, index) => {
    const where = `fields[${index}]`;
    if (typeof field !== 'object' || field === null || Array.isArray(field))
      throw new InvalidParamError(`${where} must be an object {ref | selector, value}`);
    const entry = field as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['ref', 'selector', 'value'].includes(key))
        throw new InvalidParamError(`${where}.${key} is not a field of a form field (ref, selector, value)`);
    }
    const target = targetOf(entry, where);
    if (typeof entry.value === 'boolean') return { ...target, value: entry.value };
    if (typeof entry.value !== 'string' || entry.value.length > 1_000_000) {
      throw new InvalidParamError(`${where}.value must be a string (text, or an option of a select) or true/false (a checkbox)`);
    }
    return { ...target, value: entry.value };
  });
}

export function entriesOf(raw: Record<string, unknown>): Record<string, string> {
  const keys = Object.keys(raw);
  if (keys.length === 0 || keys.length > STORAGE_KEYS_MAX) throw new InvalidParamError(`entries must hold 1 to ${STORAGE_KEYS_MAX} keys`);
  let size = 0;
  for (const key of keys) {
    const value = raw[key];
    if (typeof value !== 'string') throw new InvalidParamError(`entries.${key} must be a string`);
    size += key.length + value.length;
    if (size > STORAGE_VALUE_MAX) throw new InvalidParamError(`entries hold more than ${STORAGE_VALUE_MAX} characters`);
  }
  return raw as Record<string, string>;
}

/** An http(s) origin such as https://example.com, as `URL.origin` writes it. */
export function originOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidParamError('origin must be an http(s) origin such as https://example.com');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value.replace(/\/$/, '')) {
    throw new InvalidParamError('origin must be an http(s) origin such as https://example.com');
  }
  return url.origin;
}
