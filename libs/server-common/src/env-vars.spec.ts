import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { readEnv, toBool, toInt } from './env-vars';

class Env {
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  PORT = 80;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true, false, 1 or 0' })
  QUIET?: boolean;
}

describe('readEnv', () => {
  it('reads the known variables, typed, and ignores the rest and empty ones', () => {
    const { env, problems } = readEnv(Env, { PORT: '8080', QUIET: '1', OTHER: 'x' }, ['PORT', 'QUIET']);
    expect(problems).toEqual([]);
    expect([env.PORT, env.QUIET, (env as unknown as Record<string, unknown>).OTHER]).toEqual([8080, true, undefined]);
    expect(readEnv(Env, { PORT: '' }, ['PORT']).env.PORT).toBe(80);
  });

  it('names each bad variable with the value given and what is wrong', () => {
    expect(readEnv(Env, { PORT: '0', QUIET: 'maybe' }, ['PORT', 'QUIET']).problems).toEqual([
      '  PORT="0": must be at least 1',
      '  QUIET="maybe": must be true, false, 1 or 0',
    ]);
    expect(readEnv(Env, { PORT: '1.5' }, ['PORT']).problems).toEqual(['  PORT="1.5": must be at least 1; must be a whole number']);
  });
});
