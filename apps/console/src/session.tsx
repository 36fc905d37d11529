import { createContext, useContext } from 'react';
import type { Me } from './api';

export const SessionContext = createContext<Me | null>(null);

/** The signed-in caller; pages ask it what to show (the API stays the authority). */
export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('no session');
  return me;
}

export function can(me: Me, permission: string): boolean {
  return me.user.role !== 'member' || me.permissions.includes(permission);
}
