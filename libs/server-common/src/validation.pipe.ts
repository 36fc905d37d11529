import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidParamError } from '@cos/contracts';

function firstProblem(errors: ValidationError[], parent = ''): string {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      const [message] = Object.values(error.constraints);
      // class-validator words messages with the bare property name; name the full path instead.
      return parent && message.startsWith(error.property) ? `${parent}.${message}` : message;
    }
    if (error.children?.length) return firstProblem(error.children, path);
  }
  return 'invalid parameter';
}

/** The one validation pipe of both apps: unknown fields and wrong types are 211 naming the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    forbidUnknownValues: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new InvalidParamError(firstProblem(errors)),
  });
}
