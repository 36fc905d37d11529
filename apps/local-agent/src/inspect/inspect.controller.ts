import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { createReadStream } from 'node:fs';
import { InvalidParamError, ok } from '@cos/contracts';
import { WindowAliasesDto } from '../browser/dto/window-aliases.dto';
import {
  ActDto,
  ClearLogsDto,
  DialogPolicyDto,
  DownloadDto,
  FillDto,
  GetDto,
  HandleDialogDto,
  KeyboardDto,
  LogsDto,
  MouseDto,
  NetworkBodiesDto,
  NetworkBodyDto,
  SnapshotDto,
  StorageDeleteDto,
  StorageDto,
  StorageGetDto,
  StorageSetDto,
  TabsDto,
} from './dto/inspect.dto';
import { chord, keyValue } from './keys';
import { checkActionFields, entriesOf, fieldsOf, filesOf, originOf, targetOf } from './inspect-input';
import { PageInspection } from './page-inspection';
import { PageRecords } from './page-records';
import { SNAPSHOT_CHARS_DEFAULT, SNAPSHOT_DEPTH_MAX } from './snapshots';

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_BODY_BYTES = 1024 * 1024;

/**
 * Pages of a running window for programs and AI agents: aria snapshots with refs, actions by ref
 * or selector, getters, logs, downloads, dialogs, storage, mouse and keyboard, tabs.
 */
@Controller('browser')
export class InspectController {
  constructor(
    private readonly pages: PageInspection,
    private readonly records: PageRecords,
  ) {}

  @Post('snapshot')
  @HttpCode(200)
  async snapshot(@Body() dto: SnapshotDto) {
    return ok(
      await this.pages.snapshot(dto.windowRef, dto.tab, {
        interactiveOnly: dto.interactiveOnly ?? false,
        depth: dto.depth ?? SNAPSHOT_DEPTH_MAX,
        selector: dto.selector ?? null,
        maxChars: dto.maxChars ?? SNAPSHOT_CHARS_DEFAULT,
        delta: dto.delta ?? false,
      }),
    );
  }

  @Post('act')
  @HttpCode(200)
  async act(@Body() dto: ActDto) {
    const target = targetOf(dto);
    checkActionFields(dto);
    if (dto.action === 'press') chord(dto.key!, 'key');
    const files = dto.action === 'upload' ? filesOf(dto.files) : undefined;
    const to = dto.action === 'drag' ? targetOf(dto.to ?? {}, 'to') : undefined;
    return ok(
      await this.pages.act(
        dto.windowRef,
        dto.tab,
        {
          ...target,
          action: dto.action,
          text: dto.text,
          key: dto.key,
          values: dto.values,
          to,
          button: dto.button,
          modifiers: dto.modifiers,
          delayMs: dto.delayMs,
          submit: dto.submit,
          timeoutMs: dto.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        },
        files,
      ),
    );
  }

  @Post('fill')
  @HttpCode(200)
  async fill(@Body() dto: FillDto) {
    return ok(await this.pages.fill(dto.windowRef, dto.tab, fieldsOf(dto.fields), dto.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  }

  @Post('get')
  @HttpCode(200)
  async get(@Body() dto: GetDto) {
    const target = targetOf(dto);
    if (dto.what === 'count' && target.ref !== undefined) throw new InvalidParamError('count goes with selector: a ref is one element');
    if ((dto.what === 'attribute') !== (dto.name !== undefined))
      throw new InvalidParamError('name is required for attribute, and only for it');
    return ok(await this.pages.get(dto.windowRef, dto.tab, target, dto.what, dto.name, dto.maxChars));
  }

  @Post('tabs')
  @HttpCode(200)
  async tabs(@Body() dto: TabsDto) {
    const action = dto.action ?? 'list';
    if (dto.url !== undefined && action !== 'new') throw new InvalidParamError('url goes with action new');
    if (dto.index !== undefined && action !== 'select' && action !== 'close')
      throw new InvalidParamError('index goes with action select or close');
    return ok(await this.pages.tabs(dto.windowRef, action, dto.index, dto.url));
  }

  @Post('logs')
  @HttpCode(200)
  async logs(@Body() dto: LogsDto) {
    return ok(await this.records.logs(dto.windowRef, dto.tab, dto.kinds ?? [], dto.since ?? 0, dto.limit ?? 1_000, dto.clear ?? false));
  }

  @Post('logs/clear')
  @HttpCode(200)
  async clearLogs(@Body() dto: ClearLogsDto) {
    return ok(await this.records.clearLogs(dto.windowRef, dto.tab, dto.kinds ?? []));
  }

  @Post('network/bodies')
  @HttpCode(200)
  async networkBodies(@Body() dto: NetworkBodiesDto) {
    if (!dto.enabled && dto.maxBytes !== undefined) throw new InvalidParamError('maxBytes goes with enabled: true');
    return ok(await this.records.networkBodies(dto.windowRef, dto.enabled, dto.maxBytes ?? DEFAULT_BODY_BYTES));
  }

  @Post('network/body')
  @HttpCode(200)
  async networkBody(@Body() dto: NetworkBodyDto) {
    return ok(await this.records.networkBody(dto.windowRef, dto.requestId, dto.part ?? 'response'));
  }

  @Post('downloads')
  @HttpCode(200)
  async downloads(@Body() dto: WindowAliasesDto) {
    return ok(await this.records.downloads(dto.windowRef));
  }

  /** The file itself (application/octet-stream), streamed; errors are the usual JSON answers. */
  @Post('downloads/fetch')
  @HttpCode(200)
  async fetchDownload(@Body() dto: DownloadDto, @Res() res: Response) {
    const { path, entry } = await this.records.download(dto.windowRef, dto.downloadId);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(entry.file ?? 'download')}`);
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  @Post('dialogs/policy')
  @HttpCode(200)
  async dialogPolicy(@Body() dto: DialogPolicyDto) {
    if (dto.promptText !== undefined && dto.policy !== 'accept') throw new InvalidParamError('promptText goes with policy accept');
    return ok(await this.records.dialogPolicy(dto.windowRef, dto.policy, dto.promptText));
  }

  @Post('dialogs/handle')
  @HttpCode(200)
  async handleDialog(@Body() dto: HandleDialogDto) {
    return ok(await this.records.handleDialog(dto.windowRef, dto.tab, dto.accept, dto.promptText));
  }

  @Post('storage/get')
  @HttpCode(200)
  async storageGet(@Body() dto: StorageGetDto) {
    return ok(await this.records.storage(dto.windowRef, dto.tab, dto.kind, origin(dto), { op: 'get', key: dto.key, max: 0 }));
  }

  @Post('storage/set')
  @HttpCode(200)
  async storageSet(@Body() dto: StorageSetDto) {
    return ok(await this.records.storage(dto.windowRef, dto.tab, dto.kind, origin(dto), { op: 'set', entries: entriesOf(dto.entries) }));
  }

  @Post('storage/delete')
  @HttpCode(200)
  async storageDelete(@Body() dto: StorageDeleteDto) {
    if (dto.keys.length === 0 || dto.keys.length > 1_000) throw new InvalidParamError('keys must hold 1 to 1000 keys');
    return ok(await this.records.storage(dto.windowRef, dto.tab, dto.kind, origin(dto), { op: 'delete', keys: dto.keys }));
  }

  @Post('storage/clear')
  @HttpCode(200)
  async storageClear(@Body() dto: StorageDto) {
    return ok(await this.records.storage(dto.windowRef, dto.tab, dto.kind, origin(dto), { op: 'clear' }));
  }

  @Post('mouse')
  @HttpCode(200)
  async mouse(@Body() dto: MouseDto) {
    const placed = dto.x !== undefined && dto.y !== undefined;
    if ((dto.x === undefined) !== (dto.y === undefined)) throw new InvalidParamError('x and y go together');
    if ((dto.action === 'move' || dto.action === 'click' || dto.action === 'wheel') && !placed)
      throw new InvalidParamError(`x and y are required for ${dto.action}`);
    if (dto.action !== 'wheel' && (dto.deltaX !== undefined || dto.deltaY !== undefined))
      throw new InvalidParamError('deltaX and deltaY go with wheel');
    if (dto.clickCount !== undefined && dto.action !== 'click') throw new InvalidParamError('clickCount goes with click');
    return ok(await this.records.mouse(dto.windowRef, dto.tab, dto));
  }

  @Post('keyboard')
  @HttpCode(200)
  async keyboard(@Body() dto: KeyboardDto) {
    if (dto.action === 'type' ? dto.text === undefined || dto.key !== undefined : dto.key === undefined || dto.text !== undefined) {
      throw new InvalidParamError(dto.action === 'type' ? 'type takes text (and no key)' : `${dto.action} takes key (and no text)`);
    }
    if (dto.action === 'press') chord(dto.key!, 'key');
    else if (dto.action !== 'type') keyValue(dto.key!, 'key');
    return ok(await this.records.keyboard(dto.windowRef, dto.tab, dto.action, dto.key, dto.text));
  }
}

function origin(dto: StorageDto): string | undefined {
  return dto.origin === undefined ? undefined : originOf(dto.origin);
}
