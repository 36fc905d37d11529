/** Secret values one run order names, at most (the run's and the stored ones it was filled with). */
export const ORDER_SECRETS_MAX = 100;

/**
 * The forms a secret value takes when a page or a step repeats it: as it is, percent-encoded (a URL
 * it landed on, a form body with `+` for spaces) and escaped inside JSON text. Longest first, so a
 * value that holds another is taken out whole.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of secrets) {
    if (value.length === 0) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(encodeURIComponent(value).replace(/%20/g, '+'));
    forms.add(encodeURI(value));
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * `value` with every secret, in each of its forms, replaced by `[secret]` in its strings and keys.
 * Applied before anything is cut to length: a cut through a secret would leave a readable part.
 */
export function hideSecrets<T>(value: T, secrets: readonly string[]): T {
  const forms = secretForms(secrets);
  if (forms.length === 0) return value;
  const hide = (item: unknown): unknown => {
    if (typeof item === 'string') return forms.reduce((text, form) => text.split(form).join('[secret]'), item);
    if (Array.isArray(item)) return item.map(hide);
    if (typeof item === 'object' && item !== null) return Object.fromEntries(Object.entries(item).map(([k, v]) => [hide(k), hide(v)]));
    return item;
  };
  return hide(value) as T;
}
