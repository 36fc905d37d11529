export * from './cloud-client';
