/**
 * Every verb the server knows, with its rules: one table drives dispatch,
 * preconditions, HELP and FEAT. Verbs listed with a null handler are known
 * and answered 502, never 500.
 */
import type { CommandTable } from './command-spec.ts';
import { handleAcct, handlePass, handleQuit, handleRein, handleUser } from '../handlers/login.ts';
import { handleAllo, handleFeat, handleHelp, handleMode, handleNoop, handleOpts, handleStat, handleStru, handleSyst, handleType } from '../handlers/info.ts';
import { handleCdup, handleCwd, handleDele, handleMdtm, handleMkd, handlePwd, handleRmd, handleRnfr, handleRnto, handleSize } from '../handlers/navigation.ts';
import { handleList, handleMlsd, handleMlst, handleNlst } from '../handlers/listing.ts';
import { handleEprt, handleEpsv, handlePasv, handlePort } from '../handlers/data-setup.ts';
import { handleAbor, handleAppe, handleRest, handleRetr, handleStor, handleStou } from '../handlers/transfer.ts';
import { handleAvbl, handleSite } from '../handlers/site.ts';
import { handleHash, HASH_FEAT } from '../handlers/hash.ts';
import { handleAuth, handlePbsz, handleProt } from '../handlers/security.ts';
import { MLST_FACTS } from '../vfs/listing.ts';

const MLST_FEAT = `MLST ${MLST_FACTS.map((fact) => `${fact}*;`).join('')}`;

export const COMMANDS: CommandTable = {
  // RFC 959 §4.1.1 access control
  USER: { login: false, argument: 'required', help: 'USER <username>', handler: handleUser },
  PASS: { login: false, argument: 'optional', help: 'PASS <password>', handler: handlePass },
  ACCT: { login: true, argument: 'required', help: 'ACCT <account>', handler: handleAcct },
  CWD: { login: true, argument: 'required', help: 'CWD <path>', handler: handleCwd },
  XCWD: { login: true, argument: 'required', help: 'XCWD <path> (RFC 775)', handler: handleCwd },
  CDUP: { login: true, argument: 'forbidden', help: 'CDUP', handler: handleCdup },
  XCUP: { login: true, argument: 'forbidden', help: 'XCUP (RFC 775)', handler: handleCdup },
  SMNT: { login: true, argument: 'required', help: 'SMNT <path>', handler: null },
  REIN: { login: true, argument: 'forbidden', help: 'REIN', handler: handleRein },
  QUIT: { login: false, argument: 'forbidden', help: 'QUIT', handler: handleQuit, beforeTls: true },
  // RFC 959 §4.1.2 transfer parameters, RFC 2428
  PORT: { login: true, argument: 'required', help: 'PORT h1,h2,h3,h4,p1,p2', keepsRest: true, handler: handlePort },
  PASV: { login: true, argument: 'forbidden', help: 'PASV', keepsRest: true, handler: handlePasv },
  EPRT: { login: true, argument: 'required', help: 'EPRT |af|address|port|', feat: ['EPRT'], keepsRest: true, handler: handleEprt },
  EPSV: { login: true, argument: 'optional', help: 'EPSV [1|2|ALL]', feat: ['EPSV'], keepsRest: true, handler: handleEpsv },
  TYPE: { login: true, argument: 'required', help: 'TYPE A|I', handler: handleType },
  STRU: { login: true, argument: 'required', help: 'STRU F', handler: handleStru },
  MODE: { login: true, argument: 'required', help: 'MODE S', handler: handleMode },
  // RFC 959 §4.1.3 service commands
  RETR: { login: true, argument: 'required', help: 'RETR <path>', keepsRest: true, handler: handleRetr },
  STOR: { login: true, argument: 'required', writes: true, help: 'STOR <path>', keepsRest: true, handler: handleStor },
  STOU: { login: true, argument: 'optional', writes: true, help: 'STOU [<name>]', handler: handleStou },
  APPE: { login: true, argument: 'required', writes: true, help: 'APPE <path>', keepsRest: true, handler: handleAppe },
  ALLO: { login: true, argument: 'required', help: 'ALLO <bytes>', handler: handleAllo },
  REST: { login: true, argument: 'required', help: 'REST <offset>', feat: ['REST STREAM'], keepsRest: true, handler: handleRest },
  RNFR: { login: true, argument: 'required', writes: true, help: 'RNFR <path>', handler: handleRnfr },
  RNTO: { login: true, argument: 'required', writes: true, help: 'RNTO <path>', handler: handleRnto },
  ABOR: { login: true, argument: 'forbidden', help: 'ABOR', handler: handleAbor },
  DELE: { login: true, argument: 'required', writes: true, help: 'DELE <path>', handler: handleDele },
  RMD: { login: true, argument: 'required', writes: true, help: 'RMD <path>', handler: handleRmd },
  XRMD: { login: true, argument: 'required', writes: true, help: 'XRMD <path> (RFC 775)', handler: handleRmd },
  MKD: { login: true, argument: 'required', writes: true, help: 'MKD <path>', handler: handleMkd },
  XMKD: { login: true, argument: 'required', writes: true, help: 'XMKD <path> (RFC 775)', handler: handleMkd },
  PWD: { login: true, argument: 'forbidden', help: 'PWD', handler: handlePwd },
  XPWD: { login: true, argument: 'forbidden', help: 'XPWD (RFC 775)', handler: handlePwd },
  LIST: { login: true, argument: 'optional', help: 'LIST [<path>]', handler: handleList },
  NLST: { login: true, argument: 'optional', help: 'NLST [<path>]', handler: handleNlst },
  SITE: { login: false, argument: 'required', help: 'SITE <subcommand> (SITE HELP lists them)', feat: ['SITE CPFR', 'SITE CPTO'], handler: handleSite },
  SYST: { login: false, argument: 'forbidden', help: 'SYST', handler: handleSyst, beforeTls: true },
  STAT: { login: true, argument: 'optional', help: 'STAT [<path>]', handler: handleStat },
  HELP: { login: false, argument: 'optional', help: 'HELP [<command>]', handler: handleHelp, beforeTls: true },
  NOOP: { login: false, argument: 'forbidden', help: 'NOOP', handler: handleNoop, beforeTls: true },
  // RFC 2389
  FEAT: { login: false, argument: 'forbidden', help: 'FEAT', handler: handleFeat, beforeTls: true },
  OPTS: { login: false, argument: 'required', help: 'OPTS <option> [<value>]', feat: ['UTF8'], handler: handleOpts, beforeTls: true },
  // RFC 3659
  SIZE: { login: true, argument: 'required', help: 'SIZE <path>', feat: ['SIZE'], handler: handleSize },
  MDTM: { login: true, argument: 'required', help: 'MDTM <path>', feat: ['MDTM'], handler: handleMdtm },
  MLST: { login: true, argument: 'optional', help: 'MLST [<path>]', feat: [MLST_FEAT], handler: handleMlst },
  MLSD: { login: true, argument: 'optional', help: 'MLSD [<path>]', handler: handleMlsd },
  // RFC 4217
  AUTH: { login: false, argument: 'required', help: 'AUTH TLS', feat: ['AUTH TLS', 'PBSZ', 'PROT'], handler: handleAuth, beforeTls: true },
  PBSZ: { login: false, argument: 'required', help: 'PBSZ 0', handler: handlePbsz, beforeTls: true },
  PROT: { login: false, argument: 'required', help: 'PROT P|C', handler: handleProt, beforeTls: true },
  CCC: { login: true, argument: 'forbidden', help: 'CCC', handler: null },
  // draft-bryan-ftpext-hash, draft-peterson-streamlined-ftp-command-extensions
  HASH: { login: true, argument: 'required', help: 'HASH <path>', feat: [HASH_FEAT], keepsRest: true, handler: handleHash },
  AVBL: { login: true, argument: 'optional', help: 'AVBL [<path>]', feat: ['AVBL'], handler: handleAvbl },
  // Known but not offered
  ADAT: { login: false, argument: 'required', help: 'ADAT <data> (RFC 2228)', handler: null },
  MIC: { login: false, argument: 'required', help: 'MIC <data> (RFC 2228)', handler: null },
  CONF: { login: false, argument: 'required', help: 'CONF <data> (RFC 2228)', handler: null },
  ENC: { login: false, argument: 'required', help: 'ENC <data> (RFC 2228)', handler: null },
  LANG: { login: false, argument: 'optional', help: 'LANG <tag> (RFC 2640)', handler: null },
  MFMT: { login: true, argument: 'required', help: 'MFMT <time> <path>', handler: null },
};
