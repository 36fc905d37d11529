export const LIMITS = {
  nameMax: 100,
  remarkMax: 1000,
  idsMax: 1000,
  pageSizeDefault: 10,
  pageSizeMax: 100,
  /** ids are PostgreSQL `integer` columns. */
  idMax: 2_147_483_647,
  hostMax: 255,
  credentialMax: 255,
  /** A proxy password, or for ssh a private key (PEM / OpenSSH). */
  secretMax: 16_384,
  urlMax: 2048,
  jsonMaxBytes: 64 * 1024,
} as const;
