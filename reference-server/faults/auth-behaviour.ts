/**
 * Left for src/session.ts's branch of auth-commands-before-login: the guest
 * identity, now made in parts/login.ts. This file goes when that branch moves.
 */
export { guestIdentity } from './parts/login.ts';
