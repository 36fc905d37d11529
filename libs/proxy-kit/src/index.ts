export * from './proxy-endpoint';
export * from './proxy-route';
export * from './route-types';
export * from './probe';
export * from './ip-lookup';
export * from './extraction';
export { openSshBridge } from './ssh-bridge';
export * from './bridge-gate';
