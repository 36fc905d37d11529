/** "1 window", "3 windows"; an irregular noun names its plural ("1 proxy", "2 proxies"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}
