"""Drives one peer with Python's ftplib, an FTP client nobody here wrote, for peers.test.ts.

    /usr/bin/python3 ftplib-probe.py < request.json  ->  report.json on stdout

The request (stdin, so passwords stay off the command line):
    {"host", "port", "user": {"user", "password"}, "user2": {...}, "anonymous": {...},
     "upload": {"name", "hex"}, "publicFile": {"name"}}
The report holds what the server answered; the test decides what is right. On an
error it still prints the report so far, with "error" and the step that failed.
"""

import io
import json
import sys
from ftplib import FTP, error_perm, error_temp

TIMEOUT_SECONDS = 10


def connect(request):
    ftp = FTP()
    greeting = ftp.connect(request["host"], request["port"], timeout=TIMEOUT_SECONDS)
    return ftp, greeting


def retrieve(ftp, name):
    buffer = io.BytesIO()
    ftp.retrbinary("RETR " + name, buffer.write)
    return buffer.getvalue()


def listing(ftp):
    lines = []
    ftp.retrlines("LIST", lines.append)
    return lines


def probe_user(request, report):
    ftp, report["greeting"] = connect(request)
    account = request["user"]
    report["user_login"] = ftp.login(account["user"], account["password"])
    report["user_pwd"] = ftp.pwd()
    upload = request["upload"]
    report["user_stor"] = ftp.storbinary("STOR " + upload["name"], io.BytesIO(bytes.fromhex(upload["hex"])))
    report["user_list_passive"] = listing(ftp)
    report["user_nlst_passive"] = ftp.nlst()
    report["user_retr_passive_hex"] = retrieve(ftp, upload["name"]).hex()
    ftp.set_pasv(False)  # active mode: the server connects back (PORT)
    report["user_nlst_active"] = ftp.nlst()
    report["user_retr_active_hex"] = retrieve(ftp, upload["name"]).hex()
    ftp.quit()


def probe_user2(request, report):
    ftp, _ = connect(request)
    account = request["user2"]
    report["user2_login"] = ftp.login(account["user"], account["password"])
    report["user2_nlst"] = ftp.nlst()
    ftp.quit()


def probe_anonymous(request, report):
    ftp, _ = connect(request)
    account = request["anonymous"]
    report["anonymous_login"] = ftp.login(account["user"], account["password"])
    report["anonymous_nlst"] = ftp.nlst()
    report["anonymous_public_hex"] = retrieve(ftp, request["publicFile"]["name"]).hex()
    try:
        report["anonymous_stor"] = ftp.storbinary("STOR sneaky.txt", io.BytesIO(b"x"))
    except (error_perm, error_temp) as refusal:  # nodeftpd refuses with a 4xx
        report["anonymous_stor"] = str(refusal)
    ftp.quit()


def main():
    request = json.load(sys.stdin)
    report = {}
    for step in (probe_user, probe_user2, probe_anonymous):
        try:
            step(request, report)
        except Exception as error:  # report, do not crash: the test shows what went wrong
            report["error"] = "%s: %s: %s" % (step.__name__, type(error).__name__, error)
            break
    json.dump(report, sys.stdout)
    return 1 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(main())
