import { IsArray } from 'class-validator';
import { DomainError } from '@cos/contracts';
import { createValidationPipe } from '@cos/server-common';
import { DeleteWindowsDto, UpdateWindowDto, WindowRefDto } from './window.dto';

const UUID = '550e8400-e29b-41d4-a716-446655440000';
const pipe = createValidationPipe();

/** A call with a field of its own beside the window, as `/browser/cookies/import` has. */
class ImportCookiesDto extends WindowRefDto {
  @IsArray({ message: 'cookies must be an array of cookies' })
  cookies: unknown[];
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

describe("a cloud DTO's window reference", () => {
  it('is parsed once by the validation into windowRef, which is no field of the DTO', async () => {
    const byUuid = await validated(WindowRefDto, { uuid: UUID.toUpperCase() });
    expect(byUuid.windowRef).toEqual({ uuid: UUID });
    expect(Object.keys(byUuid)).not.toContain('windowRef');
    expect((await validated(WindowRefDto, { browserId: 12 })).windowRef).toEqual({ id: 12, uuid: undefined });
    expect((await validated(WindowRefDto, { id: 3, browserId: 3, uuid: UUID })).windowRef).toEqual({ id: 3, uuid: UUID });
    const cookies = await validated(ImportCookiesDto, { id: 7, cookies: [] });
    expect([cookies.windowRef, cookies.cookies]).toEqual([{ id: 7, uuid: undefined }, []]);
  });

  it('is refused with the fields’ own answers first, then in the words of parseWindowRef', async () => {
    const cases: [new () => unknown, unknown, string][] = [
      [WindowRefDto, {}, 'one of uuid, config_uuid, browserUuid, browser_uuid, id, browserId, browser_id is required'],
      [WindowRefDto, { id: 1, browserId: 2 }, 'only one window per call: several ids or uuids were given'],
      [WindowRefDto, { id: 0 }, 'id must be a positive integer'],
      [WindowRefDto, { id: [1, 2] }, 'id must be a positive integer'],
      [WindowRefDto, { uuid: 'abc', browserId: 2 }, 'uuid must be a window UUID'],
      [WindowRefDto, { uuid: UUID, windowRef: { id: 1 } }, 'property windowRef should not exist'],
      [WindowRefDto, { browser_id: 1 }, 'property browser_id should not exist'],
      [ImportCookiesDto, { id: 1, browserId: 2 }, 'cookies must be an array of cookies'],
      [ImportCookiesDto, { cookies: [] }, 'one of uuid, config_uuid, browserUuid, browser_uuid, id, browserId, browser_id is required'],
    ];
    for (const [metatype, body, msg] of cases) expect([body, await refusal(metatype, body)]).toEqual([body, msg]);
  });

  it('of /browser/update: none creates, one edits, and every field answers before the reference', async () => {
    const create = await validated(UpdateWindowDto, { name: 'x', id: null });
    expect([create.windowRef, create.name]).toEqual([undefined, 'x']);
    expect((await validated(UpdateWindowDto, { uuid: UUID, name: 'y' })).windowRef).toEqual({ uuid: UUID });
    expect(await refusal(UpdateWindowDto, { id: 1, browserId: 2 })).toBe('only one window per call: several ids or uuids were given');
    expect(await refusal(UpdateWindowDto, { id: 1, browserId: 2, port: 'abc' })).toBe('port must be an integer from 1 to 65535');
    expect(await refusal(UpdateWindowDto, { id: 1, browserId: 2, name: 5 })).toMatch(/^name/);
  });

  it('of /browser/delete: one window by reference, or several by ids', async () => {
    const several = await validated(DeleteWindowsDto, { ids: [1, 2] });
    expect([several.windowRef, several.ids]).toEqual([undefined, [1, 2]]);
    // Both are parsed here; the service refuses the pair.
    const both = await validated(DeleteWindowsDto, { ids: [1], uuid: UUID });
    expect([both.windowRef, both.ids]).toEqual([{ uuid: UUID }, [1]]);
    expect(await refusal(DeleteWindowsDto, {})).toMatch(/is required$/);
    expect(await refusal(DeleteWindowsDto, { ids: [] })).toBe('ids must not be empty');
  });
});
