/**
 * Long: the request shapes of every inspection endpoint, one class each.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { LIMITS } from '@cos/contracts';
import { WindowAliasesDto } from '../../browser/dto/window-aliases.dto';
import { ACTIONS, MOUSE_BUTTONS } from '../element-actions';
import type { ActionName, MouseButton } from '../element-actions';
import { GETTERS, TAB_ACTIONS } from '../page-inspection';
import type { Getter, TabAction } from '../page-inspection';
import { KEYBOARD_ACTIONS, MOUSE_ACTIONS } from '../page-records';
import type { KeyboardAction, MouseAction } from '../page-records';
import { SNAPSHOT_CHARS_DEFAULT, SNAPSHOT_CHARS_MAX, SNAPSHOT_DEPTH_MAX } from '../snapshots';
import { LOG_KINDS } from '../tab-state';
import type { LogKind } from '../tab-state';
import { DIALOG_POLICIES } from '../window-inspector';
import type { DialogPolicy } from '../window-inspector';

export const SELECTOR_MAX = 1_000;
export const TEXT_MAX = 1_000_000;
export const TIMEOUT_MAX_MS = 120_000;
/** Network bodies Firefox keeps for the inspection: at most this many bytes each. */
export const BODY_MAX_BYTES = 10 * 1024 * 1024;

/** Class-validator runs a property's checks bottom-up: each type check sits last so it answers first. */
function OptionalInt(name: string, min: number, max: number, description?: string) {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return applyDecorators(
    ApiPropertyOptional({ minimum: min, maximum: max, ...(description ? { description } : {}) }),
    IsOptional(),
    Min(min, { message }),
    Max(max, { message }),
    IsInt({ message }),
  );
}

function OptionalBool(name: string, description?: string) {
  return applyDecorators(
    ApiPropertyOptional(description ? { description } : {}),
    IsOptional(),
    IsBoolean({ message: `${name} must be true or false` }),
  );
}

function OptionalString(name: string, max: number, min = 1, description?: string) {
  return applyDecorators(
    ApiPropertyOptional({ maxLength: max, ...(description ? { description } : {}) }),
    IsOptional(),
    MinLength(min, { message: `${name} must not be empty` }),
    MaxLength(max, { message: `${name} must be at most ${max} characters` }),
    IsString({ message: `${name} must be a string` }),
  );
}

function OneOf(name: string, values: readonly string[], required = false) {
  return applyDecorators(
    required ? ApiProperty({ enum: values }) : ApiPropertyOptional({ enum: values }),
    ...(required ? [] : [IsOptional()]),
    IsIn(values, { message: `${name} must be one of ${values.join(', ')}` }),
  );
}

/** A window, and one of its tabs by index (the selected tab when left out). */
export class TabDto extends WindowAliasesDto {
  @OptionalInt('tab', 0, 1000, 'Tab index (see /browser/tabs); the selected tab when left out')
  tab?: number;
}

export class SnapshotDto extends TabDto {
  @OptionalBool('interactiveOnly', 'Only elements that can be acted on, each with its ref')
  interactiveOnly?: boolean;

  @OptionalInt('depth', 1, SNAPSHOT_DEPTH_MAX, 'Levels of the tree shown')
  depth?: number;

  @OptionalString('selector', SELECTOR_MAX, 1, 'CSS selector of the part of the page to show')
  selector?: string;

  @OptionalInt(
    'maxChars',
    100,
    SNAPSHOT_CHARS_MAX,
    `Longest snapshot answered (default ${SNAPSHOT_CHARS_DEFAULT}); longer is cut and truncated: true`,
  )
  maxChars?: number;

  @OptionalBool('delta', 'Only what changed since the last snapshot of this tab')
  delta?: boolean;
}

/** An element: a snapshot's ref, or a CSS selector (with `nth` for a later match). */
export class TargetDto extends TabDto {
  @OptionalString('ref', 20, 1, 'A ref from the last snapshot (e12, f1e7)')
  ref?: string;

  @OptionalString('selector', SELECTOR_MAX)
  selector?: string;

  @OptionalInt('nth', 0, 10_000, 'Which match of selector, from 0')
  nth?: number;
}

export class ActDto extends TargetDto {
  @OneOf('action', ACTIONS, true)
  action: ActionName;

  @OptionalString('text', TEXT_MAX, 0, 'type and fill: the text')
  text?: string;

  @OptionalString('key', 100, 1, 'press: a key or combination (Enter, Control+A)')
  key?: string;

  @ApiPropertyOptional({ type: [String], description: 'select: option values or labels' })
  @IsOptional()
  @IsArray({ message: 'values must be an array of strings' })
  @IsString({ each: true, message: 'values must be an array of strings' })
  @MaxLength(1000, { each: true, message: 'values must be strings of at most 1000 characters' })
  values?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'upload: [{name, data (base64)}]' })
  @Allow()
  files?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'drag: where to drop, {ref} or {selector, nth?}' })
  @IsOptional()
  @IsObject({ message: 'to must be an object {ref} or {selector}' })
  to?: Record<string, unknown>;

  @OneOf('button', MOUSE_BUTTONS)
  button?: MouseButton;

  @ApiPropertyOptional({ type: [String], description: 'Keys held during a click: Alt, Control, Meta, Shift' })
  @IsOptional()
  @IsArray({ message: 'modifiers must be an array of key names' })
  @IsIn(['Alt', 'Control', 'ControlOrMeta', 'Meta', 'Shift'], {
    each: true,
    message: 'modifiers must be among Alt, Control, ControlOrMeta, Meta, Shift',
  })
  modifiers?: string[];

  @OptionalInt('delayMs', 0, 1000, 'type: pause between keys')
  delayMs?: number;

  @OptionalBool('submit', 'type and fill: press Enter after')
  submit?: boolean;

  @OptionalInt('timeoutMs', 1, TIMEOUT_MAX_MS, 'How long to wait for the element to be ready')
  timeoutMs?: number;
}

export class FillDto extends TabDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: '[{ref | selector, value}]: text fills, true/false checks, a select takes the value',
  })
  @Allow()
  fields: unknown;

  @OptionalInt('timeoutMs', 1, TIMEOUT_MAX_MS)
  timeoutMs?: number;
}

export class GetDto extends TargetDto {
  @OneOf('what', GETTERS, true)
  what: Getter;

  @OptionalString('name', 1000, 1, 'attribute: its name')
  name?: string;

  @OptionalInt('maxChars', 1, 10_000_000)
  maxChars?: number;
}

export class LogsDto extends TabDto {
  @ApiPropertyOptional({ type: [String], enum: LOG_KINDS })
  @IsOptional()
  @IsArray({ message: `kinds must be an array of ${LOG_KINDS.join(', ')}` })
  @IsIn(LOG_KINDS, { each: true, message: `kinds must be among ${LOG_KINDS.join(', ')}` })
  kinds?: LogKind[];

  @OptionalInt('since', 0, Number.MAX_SAFE_INTEGER, 'Only entries with a greater seq')
  since?: number;

  @OptionalInt('limit', 1, 100_000, 'The newest this many per log')
  limit?: number;

  @OptionalBool('clear', 'Clear the logs read')
  clear?: boolean;
}

export class ClearLogsDto extends TabDto {
  @ApiPropertyOptional({ type: [String], enum: LOG_KINDS })
  @IsOptional()
  @IsArray({ message: `kinds must be an array of ${LOG_KINDS.join(', ')}` })
  @IsIn(LOG_KINDS, { each: true, message: `kinds must be among ${LOG_KINDS.join(', ')}` })
  kinds?: LogKind[];
}

export class NetworkBodiesDto extends WindowAliasesDto {
  @ApiProperty()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled: boolean;

  @OptionalInt('maxBytes', 1, BODY_MAX_BYTES, 'Bodies larger than this are not kept (default 1 MiB)')
  maxBytes?: number;
}

export class NetworkBodyDto extends WindowAliasesDto {
  @ApiProperty()
  @MinLength(1, { message: 'requestId must not be empty' })
  @MaxLength(200, { message: 'requestId must be at most 200 characters' })
  @IsString({ message: 'requestId must be a string' })
  requestId: string;

  @OneOf('part', ['request', 'response'])
  part?: 'request' | 'response';
}

export class DownloadDto extends WindowAliasesDto {
  @ApiProperty({ description: 'An id from /browser/downloads' })
  @MaxLength(20, { message: 'downloadId must be an id from /browser/downloads' })
  @IsString({ message: 'downloadId must be a string' })
  downloadId: string;
}

export class DialogPolicyDto extends WindowAliasesDto {
  @OneOf('policy', DIALOG_POLICIES, true)
  policy: DialogPolicy;

  @OptionalString('promptText', 10_000, 0, 'accept: what a prompt() is answered')
  promptText?: string;
}

export class HandleDialogDto extends TabDto {
  @ApiProperty()
  @IsBoolean({ message: 'accept must be true or false' })
  accept: boolean;

  @OptionalString('promptText', 10_000, 0)
  promptText?: string;
}

export class StorageDto extends TabDto {
  @OneOf('kind', ['local', 'session'], true)
  kind: 'local' | 'session';

  @OptionalString('origin', LIMITS.urlMax, 1, "An http(s) origin shown in the tab or one of its frames; the tab's own when left out")
  origin?: string;
}

export class StorageGetDto extends StorageDto {
  @OptionalString('key', 10_000, 0, 'One key; every key when left out')
  key?: string;
}

export class StorageSetDto extends StorageDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsObject({ message: 'entries must be an object of strings' })
  entries: Record<string, unknown>;
}

export class StorageDeleteDto extends StorageDto {
  @ApiProperty({ type: [String] })
  @IsArray({ message: 'keys must be an array of strings' })
  @IsString({ each: true, message: 'keys must be an array of strings' })
  keys: string[];
}

export class MouseDto extends TabDto {
  @OneOf('action', MOUSE_ACTIONS, true)
  action: MouseAction;

  @OptionalInt('x', -100_000, 100_000, 'CSS pixels from the viewport’s left')
  x?: number;

  @OptionalInt('y', -100_000, 100_000)
  y?: number;

  @OneOf('button', MOUSE_BUTTONS)
  button?: MouseButton;

  @OptionalInt('clickCount', 1, 3)
  clickCount?: number;

  @OptionalInt('deltaX', -100_000, 100_000)
  deltaX?: number;

  @OptionalInt('deltaY', -100_000, 100_000)
  deltaY?: number;
}

export class KeyboardDto extends TabDto {
  @OneOf('action', KEYBOARD_ACTIONS, true)
  action: KeyboardAction;

  @OptionalString('key', 100)
  key?: string;

  @OptionalString('text', 100_000, 0)
  text?: string;
}

export class TabsDto extends WindowAliasesDto {
  @OneOf('action', TAB_ACTIONS)
  action?: TabAction;

  @OptionalInt('index', 0, 1000)
  index?: number;

  @OptionalString('url', LIMITS.urlMax)
  url?: string;
}
