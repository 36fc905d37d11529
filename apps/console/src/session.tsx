import type { MeResponse } from '@cos/contracts';
import { createContext, useContext } from 'react';

export const SessionContext = createContext<MeResponse | null>(null);

/** The signed-in caller; pages ask it what to show (the API stays the authority). */
export function useSession(): MeResponse {
  const me = useContext(SessionContext);
  if (!me) throw new Error('no session');
  return me;
}

export { can } from './can';
