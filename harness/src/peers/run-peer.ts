// Starts one peer by hand and keeps it up until Ctrl-C (or SIGTERM):
//
//   node --import tsx harness/src/peers/run-peer.ts <vsftpd|pure-ftpd|proftpd|pyftpdlib|ftp-srv|ftpd-ssl|nodeftpd> [port]
import { PEER_NAMES, peerAvailability, startPeer, type PeerName } from './peers.ts';

function isPeerName(value: string | undefined): value is PeerName {
  return PEER_NAMES.some((name) => name === value);
}

async function main(argv: string[]): Promise<number> {
  const [name, portText] = argv;
  if (!isPeerName(name) || (portText !== undefined && !/^\d+$/.test(portText))) {
    process.stderr.write(`usage: run-peer.ts <${PEER_NAMES.join('|')}> [port]\n`);
    return 2;
  }
  const availability = peerAvailability(name);
  if (!availability.available) {
    process.stderr.write(`${availability.reason}\n`);
    return 1;
  }
  const peer = await startPeer(name, portText === undefined ? {} : { port: Number(portText) });
  const { user, user2, anonymous } = peer.accounts;
  process.stdout.write(
    [
      `${name} is up on ${peer.host}:${peer.port} (pid ${peer.pid}, passive ${peer.passivePorts.min}-${peer.passivePorts.max})`,
      `root: ${peer.root} (logs in ${peer.root}/logs)`,
      `user:      ${user.user} / ${user.password}`,
      `user2:     ${user2.user} / ${user2.password}`,
      `anonymous: ${anonymous.user} / ${anonymous.password}`,
      `try: lftp -u ${user.user},${user.password} -p ${peer.port} ${peer.host}`,
      'Ctrl-C stops it and removes the root.',
    ].join('\n') + '\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await peer.stop();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
