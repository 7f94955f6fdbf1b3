// The fixed accounts every peer offers. vsftpd logs its users in through PAM, so
// ftpcheck1/ftpcheck2 are real system users made by scripts/install-peers.sh with
// these same passwords (keep the two in step); the other peers use virtual users.

export interface PeerAccount {
  user: string;
  password: string;
}

export interface PeerAccounts {
  /** Chrooted to <root>/home/ftpcheck1; may upload, mkdir, delete, rename. */
  user: PeerAccount;
  /** Same rights as `user`, in its own home <root>/home/ftpcheck2. */
  user2: PeerAccount;
  /** Read-only, sees <root>/public as "/". The server also accepts the name "ftp". */
  anonymous: PeerAccount;
}

export const PEER_ACCOUNTS: Readonly<PeerAccounts> = Object.freeze({
  user: Object.freeze({ user: 'ftpcheck1', password: 'ftp-check-pass-1' }),
  user2: Object.freeze({ user: 'ftpcheck2', password: 'ftp-check-pass-2' }),
  anonymous: Object.freeze({ user: 'anonymous', password: 'ftp-check@example.invalid' }),
});

/** The named (non-anonymous) accounts, in a fixed order. */
export function namedAccounts(): PeerAccount[] {
  return [PEER_ACCOUNTS.user, PEER_ACCOUNTS.user2];
}

/** The file every peer's public folder holds, so anonymous listings can be checked. */
export const PUBLIC_FILE = Object.freeze({ name: 'welcome.txt', content: 'ftp-check public folder\n' });
