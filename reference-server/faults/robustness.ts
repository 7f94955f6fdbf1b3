/**
 * Test-only faults that make ftp-ref break the robustness suite's rules on purpose,
 * so the harness's tests can show each robustness case able to fail. Each entry:
 * name -> what the faulty server does wrong.
 */
export const ROBUSTNESS_FAULTS = {
  'crash-on-long-line': 'a command line over the length cap crashes the whole server (as an uncaught exception ends a Node process)',
  'crash-on-data-reset': 'a data connection reset or cut by the client mid-transfer crashes the whole server (an unhandled socket error)',
  'refusals-answered-twice': 'every line refused before its handler (unknown verb, bad argument, control characters, empty line) is answered twice',
  'crlf-only-line-ends': 'only CR LF ends a command line: a line ended by a bare LF is never answered',
  'no-telnet-handling': 'Telnet IAC sequences (IAC IP, IAC DM, IAC IAC) are taken as command bytes, not interpreted',
  'one-command-per-packet': 'reads one command per received packet: further commands pipelined in the same packet are dropped',
  'accept-port-any-address': 'PORT and EPRT accept any address and any port (the FTP bounce attack)',
  'accept-foreign-passive': 'a passive port accepts its data connection from any host, not only the control connection\'s',
  'no-idle-timeout': 'a silent control connection is never closed',
  'passive-port-never-closed': 'a passive port nobody connects to is never closed, not even when a new PASV replaces it',
  'transfer-deadline': 'every transfer is cut once it has run for the data timeout in all, however steadily data moves',
} as const satisfies Record<string, string>;
