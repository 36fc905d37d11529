import { buildApps } from './built-app';

/** Once per `npm test`, before any test file: the apps the process tests start. */
export default function globalSetup(): void {
  buildApps();
}
