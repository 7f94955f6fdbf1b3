"""Drives a program in a pseudo-terminal for the shell's interactive tests.

argv[1] is JSON: {"argv": [...], "cwd": "...", "steps": [{"send": "text"} | {"expect": "regex"}], "timeout": seconds}.
Each expect waits (bounded by the timeout) for the regex in the output that came after the previous match.
Prints JSON: {"ok", "failed" (the step that did not hold), "output" (everything the terminal showed), "status"}.
"""
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

spec = json.loads(sys.argv[1])
deadline = time.monotonic() + spec.get("timeout", 60)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec["cwd"])
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", COLUMNS="120", LINES="40")
    os.execvpe(spec["argv"][0], spec["argv"], env)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
output = b""
position = 0


def read_some(wait):
    global output
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return True
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        return False
    if not chunk:
        return False
    output += chunk
    return True


def finish(ok, failed=None):
    if ok:
        while time.monotonic() < deadline and read_some(0.2):
            pass
    try:
        os.kill(pid, signal.SIGKILL) if not ok else None
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"ok": ok, "failed": failed, "output": output.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status)}))
    sys.exit(0)


for step in spec["steps"]:
    if "send" in step:
        os.write(fd, step["send"].encode("utf-8"))
        continue
    pattern = re.compile(step["expect"].encode("utf-8"))
    while True:
        match = pattern.search(output, position)
        if match:
            position = match.end()
            break
        if time.monotonic() > deadline or not read_some(min(0.5, max(0.01, deadline - time.monotonic()))):
            finish(False, step)
finish(True)
