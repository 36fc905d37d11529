export * from './public.decorator';
export * from './validation.pipe';
export * from './exception.filter';
export * from './http-app';
export * from './package-version';
export * from './app-logger';
export * from './firefox-install';
export * from './env-vars';
