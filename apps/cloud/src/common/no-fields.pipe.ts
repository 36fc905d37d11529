import { Injectable, PipeTransform } from '@nestjs/common';
import { InvalidParamError } from '@cos/contracts';

/**
 * The body of a route that takes no fields: any field is 211, with the message the global
 * ValidationPipe gives an unknown field elsewhere (a class without rules cannot go through it).
 */
@Injectable()
export class NoFields implements PipeTransform<unknown, Record<string, never>> {
  transform(body: unknown): Record<string, never> {
    const unknown = body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
    if (unknown !== undefined) throw new InvalidParamError(`property ${unknown} should not exist`);
    return {};
  }
}
