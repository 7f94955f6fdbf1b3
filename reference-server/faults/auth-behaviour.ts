/**
 * Left for the branches still in src/ (src/session.ts and the SITE handler,
 * fault auth-commands-before-login): the guest identity, now made in
 * parts/login.ts. This file goes when those branches have moved.
 */
export { guestIdentity } from './parts/login.ts';
