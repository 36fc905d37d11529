export * from './envelope';
export * from './errors';
export * from './permissions';
export * from './limits';
export * from './fingerprint';
export * from './proxy';
export * from './window';
export * from './window-ref';
