/** Unit specs beside the code (`*.spec.ts`), HTTP and system tests under test/ (`*.e2e-spec.ts`). */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^@cos/contracts(|/.*)$': '<rootDir>/libs/contracts/src$1',
    '^@cos/server-common(|/.*)$': '<rootDir>/libs/server-common/src$1',
    '^@cos/cloud-client(|/.*)$': '<rootDir>/libs/cloud-client/src$1',
    '^@cos/proxy-kit(|/.*)$': '<rootDir>/libs/proxy-kit/src$1',
  },
  testEnvironment: 'node',
  testTimeout: 60_000,
  setupFiles: ['reflect-metadata'],
  // The cloud, agent and console builds the process tests start (skipped when nothing changed).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
