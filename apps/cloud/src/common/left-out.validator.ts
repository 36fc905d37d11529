import { ValidateIf } from 'class-validator';

/**
 * An optional field: left out, it is not checked (what is stored, or the default, stays); `null`
 * is no value of the field and meets its other rules, which refuse it by name. class-validator's
 * `IsOptional` would let `null` through to the database.
 */
export const LeftOutOr = () => ValidateIf((_object, value) => value !== undefined);
