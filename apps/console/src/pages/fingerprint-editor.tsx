import { useState } from 'react';
import { api } from '../api';
import { Field } from '../ui';

export type Fingerprint = Record<string, unknown>;

/** What a page of the window will read, as the cloud's generator reports it. */
interface PageView {
  userAgent: string | null;
  platform: string;
  oscpu: string;
  languages: string[];
  intlLocale: string | null;
  timezone: string | null;
  screen: string | null;
  hardwareConcurrency: number | null;
  webgl: string | null;
  fonts: string[];
}

const OSES = [
  { family: 'windows', label: 'Windows', platform: 'Win32' },
  { family: 'macos', label: 'macOS', platform: 'MacIntel' },
  { family: 'linux', label: 'Linux', platform: 'Linux x86_64' },
] as const;

/** Locales with a Firefox language pack (the cloud's generator draws among these). */
const LOCALES = [
  'en-US',
  'en-GB',
  'de-DE',
  'fr-FR',
  'es-ES',
  'it-IT',
  'pt-BR',
  'ru-RU',
  'ja-JP',
  'zh-CN',
  'pl-PL',
  'nl-NL',
  'tr-TR',
  'ko-KR',
  'uk-UA',
];

/** A stored value as text: fingerprints are JSON of any shape. */
const text = (value: unknown, fallback: string): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;

const familyOf = (fp: Fingerprint) => OSES.find((o) => o.platform === fp.platform || o.platform === fp.os)?.family ?? '';

/** The refusal that names `field` (the cloud answers 211 "browserFingerPrint.<field> ..."). */
function refusalFor(field: string, refusal: string): string {
  return new RegExp(`browserFingerPrint\\.${field}\\b`).test(refusal) ? refusal.replace(/^.*? failed: /, '') : '';
}

function Refusal({ text }: { text: string }) {
  return text ? (
    <small className="refusal" role="alert">
      {text}
    </small>
  ) : null;
}

/**
 * The window's fingerprint: OS, locale, timezone and screen, a draw of a whole coherent device
 * from real-world statistics, what its pages will read, and the cloud's refusals next to the field
 * they name. Everything else of the fingerprint (GPU, fonts, noise seed) comes with a draw.
 */
export function FingerprintEditor({
  value,
  onChange,
  refusal,
}: {
  value: Fingerprint;
  onChange: (next: Fingerprint) => void;
  refusal: string;
}) {
  const [view, setView] = useState<PageView | null>(null);
  const [error, setError] = useState('');
  const os = familyOf(value);
  const languages = Array.isArray(value.languages) ? (value.languages as string[]) : [];
  const set = (patch: Fingerprint) => onChange({ ...value, ...patch });
  const randomize = async () => {
    setError('');
    try {
      const drawn = await api<{ browserFingerPrint: Fingerprint; pageView: PageView }>('/browser/fingerprint/random', {
        ...(os ? { os } : {}),
        ...(LOCALES.includes(languages[0]) ? { locale: languages[0] } : {}),
        ...(typeof value.timezone === 'string' && value.timezone ? { timezone: value.timezone } : {}),
      });
      onChange(drawn.browserFingerPrint);
      setView(drawn.pageView);
    } catch (e) {
      setError(`Randomize failed: ${(e as Error).message}`);
    }
  };
  const field = (name: string) => <Refusal text={refusalFor(name, refusal)} />;
  return (
    <fieldset className="fingerprint">
      <legend>Fingerprint</legend>
      <div className="grid">
        <Field label="Operating system">
          <select
            value={os}
            onChange={(e) => {
              const chosen = OSES.find((o) => o.family === e.target.value);
              // A new OS takes a new device: the GPU and fonts of the old one would not fit it.
              const { webglVendor: _v, webglRenderer: _r, fonts: _f, userAgent: _u, ...rest } = value;
              onChange(chosen ? { ...rest, os: chosen.platform, platform: chosen.platform } : rest);
            }}
          >
            <option value="">(any)</option>
            {OSES.map((o) => (
              <option key={o.family} value={o.family}>
                {o.label}
              </option>
            ))}
          </select>
          {field('os')}
          {field('platform')}
          {field('userAgent')}
        </Field>
        <Field label="Language">
          <select value={languages[0] ?? ''} onChange={(e) => set({ languages: [e.target.value, e.target.value.split('-')[0]] })}>
            <option value="">(default)</option>
            {LOCALES.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
          {field('languages')}
        </Field>
        <Field label="Timezone">
          <input
            value={text(value.timezone, '')}
            placeholder="Europe/Berlin"
            onChange={(e) => set({ timezone: e.target.value || undefined })}
          />
          {field('timezone')}
        </Field>
        <Field label="Screen">
          <input
            value={text(value.resolution, '')}
            placeholder="1920x1080"
            onChange={(e) => set({ resolution: e.target.value || undefined })}
          />
          {field('resolution')}
        </Field>
      </div>
      <p>
        <button type="button" onClick={() => void randomize()}>
          Randomize
        </button>{' '}
        <small>draws a whole coherent device (GPU, fonts, cores, noise) for the OS, language and timezone above</small>
      </p>
      {['webglRenderer', 'fonts', 'hardwareConcurrency', 'noiseSeed', 'coreVersion'].map((name) => (
        <Refusal key={name} text={refusalFor(name, refusal)} />
      ))}
      <Refusal text={error} />
      <details open={view !== null}>
        <summary>What a page will see</summary>
        <dl className="preview">
          <dt>User agent</dt>
          <dd>{view?.userAgent ?? 'Firefox as installed on the device'}</dd>
          <dt>Platform</dt>
          <dd>{view?.platform ?? text(value.platform ?? value.os, '(from the OS)')}</dd>
          <dt>Languages / Intl</dt>
          <dd>
            {languages.join(', ') || 'en-US, en'}
            {view?.intlLocale ? ` / ${view.intlLocale}` : ''}
          </dd>
          <dt>Timezone</dt>
          <dd>{text(value.timezone, '(the device’s)')}</dd>
          <dt>Screen</dt>
          <dd>{text(value.resolution, '1920x1080')}</dd>
          <dt>Cores</dt>
          <dd>{text(value.hardwareConcurrency, '(the device’s)')} (never more than the device has)</dd>
          <dt>WebGL</dt>
          <dd>{text(value.webglRenderer, '(chosen for the OS)')}</dd>
          <dt>Fonts</dt>
          <dd>{view ? view.fonts.join(', ') : Array.isArray(value.fonts) ? (value.fonts as string[]).join(', ') : '(the OS’s own)'}</dd>
        </dl>
      </details>
    </fieldset>
  );
}
