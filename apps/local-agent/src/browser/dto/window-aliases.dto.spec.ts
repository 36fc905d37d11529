import { IsString } from 'class-validator';
import { DomainError } from '@cos/contracts';
import { createValidationPipe } from '@cos/server-common';
import { OpenWindowDto, WindowAliasesDto } from './window-aliases.dto';

const UUID = '550e8400-e29b-41d4-a716-446655440000';
const pipe = createValidationPipe();

/** A call with a field of its own beside the window, as `/browser/navigate` has. */
class NavigateDto extends WindowAliasesDto {
  @IsString({ message: 'url must be a string' })
  url: string;
}

function validated<T>(metatype: new () => T, body: unknown): Promise<T> {
  return pipe.transform(body, { type: 'body', metatype }) as Promise<T>;
}

async function refusal(metatype: new () => unknown, body: unknown): Promise<string> {
  const error: unknown = await validated(metatype, body).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a refusal of ${JSON.stringify(body)}`);
  expect(error.code).toBe(211);
  return error.message;
}

describe('the window aliases of a DTO', () => {
  it('are parsed once by the validation into windowRef, which is no field of the DTO', async () => {
    const byUuid = await validated(WindowAliasesDto, { browser_uuid: UUID.toUpperCase() });
    expect(byUuid.windowRef).toEqual({ uuid: UUID });
    expect(Object.keys(byUuid)).not.toContain('windowRef');
    expect(JSON.stringify(byUuid)).not.toContain('windowRef');
    expect((await validated(WindowAliasesDto, { browserId: '12' })).windowRef).toEqual({ id: 12, uuid: undefined });
    expect((await validated(NavigateDto, { id: 3, uuid: UUID, url: 'https://a.test/' })).windowRef).toEqual({ id: 3, uuid: UUID });
  });

  it('are refused in the words of parseWindowRef, after the fields of the call itself', async () => {
    const cases: [new () => unknown, unknown, string][] = [
      [WindowAliasesDto, {}, 'one of uuid, config_uuid, browserUuid, browser_uuid, id, browserId, browser_id is required'],
      [WindowAliasesDto, { uuid: 'abc' }, 'uuid must be a window UUID'],
      [WindowAliasesDto, { id: '0x1' }, 'id must be a positive integer'],
      [WindowAliasesDto, { browserId: '1e3' }, 'browserId must be a positive integer'],
      [WindowAliasesDto, { id: 1, browser_id: 2 }, 'only one window per call: several ids or uuids were given'],
      [WindowAliasesDto, { uuid: [UUID] }, 'uuid takes one window; several were given'],
      [WindowAliasesDto, { uuid: UUID, windowRef: { id: 1 } }, 'property windowRef should not exist'],
      [WindowAliasesDto, { ids: [1] }, 'property ids should not exist'],
      [NavigateDto, { url: 5 }, 'url must be a string'],
    ];
    for (const [metatype, body, msg] of cases) expect([body, await refusal(metatype, body)]).toEqual([body, msg]);
  });

  it('of an open: a window by reference, or oneTime with none', async () => {
    expect((await validated(OpenWindowDto, { uuid: UUID })).windowRef).toEqual({ uuid: UUID });
    const oneTime = await validated(OpenWindowDto, { oneTime: true, window: { name: 'x' } });
    expect([oneTime.windowRef, oneTime.window]).toEqual([undefined, { name: 'x' }]);
    const cases: [unknown, string][] = [
      [{ oneTime: true, browserId: 4 }, 'browserId: oneTime opens a new window; leave out the window reference'],
      [{ oneTime: true, window: [] }, "window must be an object: the new window's settings"],
      [{ window: { name: 'x' }, uuid: 'bad' }, "window (a new window's settings) goes with oneTime: true"],
      [{ oneTime: 'yes', uuid: UUID }, 'oneTime must be true or false'],
      [{ oneTime: false }, 'is required'],
    ];
    for (const [body, msg] of cases) expect([body, await refusal(OpenWindowDto, body)]).toEqual([body, expect.stringContaining(msg)]);
  });
});
