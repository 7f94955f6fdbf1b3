/**
 * For the one-command scripts that point ftp-check at a peer server
 * (scripts/peer-check.ts, scripts/peer-stress.ts): start the peer named on the
 * command line, and describe it as a target profile.
 */
import { PEER_NAMES, PUBLIC_FILE, peerAvailability, startPeer, type PeerName, type RunningPeer } from './peers.ts';

/** Starts the peer `name`, or prints the usage or the reason it cannot run and exits 2. */
export async function startPeerNamed(name: string | undefined, script: string, rest: string): Promise<RunningPeer> {
  if (!PEER_NAMES.includes(name as PeerName)) {
    process.stderr.write(`usage: ${script} <${PEER_NAMES.join('|')}> ${rest}\n`);
    process.exit(2);
  }
  const availability = peerAvailability(name as PeerName);
  if (!availability.available) {
    process.stderr.write(`${availability.reason}\n`);
    process.exit(2);
  }
  return startPeer(name as PeerName);
}

/**
 * Extensions a peer has but cannot announce. ftpd-ssl has no FEAT (500), so ftp-check
 * would take it to have no extensions; RFC 2389 §3.2 tells clients to "test for such
 * extensions individually" when FEAT fails. Its HELP lists EPRT, EPSV, SIZE, MDTM and
 * REST (none marked unimplemented), and its REST takes a byte offset for RETR and STOR.
 * A peer that does answer FEAT gets nothing added: it is held to what it announces.
 */
const UNANNOUNCED_CAPABILITIES: Partial<Record<PeerName, string[]>> = {
  'ftpd-ssl': ['EPRT', 'EPSV', 'SIZE', 'MDTM', 'REST STREAM'],
};

/** The profile of a running peer: its accounts, its root as a path that must never leak, its public file. */
export function peerProfile(peer: RunningPeer): Record<string, unknown> {
  const { user, user2, anonymous } = peer.accounts;
  const unannounced = UNANNOUNCED_CAPABILITIES[peer.name];
  return {
    ...(unannounced ? { capabilities: { add: unannounced } } : {}),
    name: `${peer.name} on ${peer.host}:${peer.port}`,
    target: `${peer.host}:${peer.port}`,
    accounts: {
      user: { name: user.user, password: user.password },
      user2: { name: user2.user, password: user2.password },
      anonymous: { name: anonymous.user, password: anonymous.password },
    },
    serverPaths: [peer.root],
    anonymousFile: `/${PUBLIC_FILE.name}`,
  };
}
