"""The attack on the host's programs, as a model could mount it from the sandbox.

A process of the sandbox user tampers with another process through /proc: it
reads the target's memory map, finds bytes in its writable memory and writes
others in their place through /proc/PID/mem; it also tries ptrace, SIGSTOP and
the target's /proc/PID/environ. Each step prints one JSON line:
``{"pid": N, "step": ..., "ok": bool, "error": errno name or null}``.

Usage:
  proc_tamper.py PID OLD NEW        attack PID now
  proc_tamper.py --wait WORD OLD NEW
                                    wait for a process whose command line holds
                                    WORD (not this one), then attack it; prints
                                    "waiting" first
"""
import ctypes
import errno
import json
import os
import signal
import sys
import time

PTRACE_ATTACH = 16
PTRACE_DETACH = 17


def report(pid, step, error=None):
    name = errno.errorcode.get(error, str(error)) if error is not None else None
    print(json.dumps({"pid": pid, "step": step, "ok": error is None, "error": name}), flush=True)
    return error is None


def writable_regions(pid):
    with open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            fields = line.split()
            if "w" in fields[1]:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                yield start, end


def tamper_memory(pid, old, new):
    try:
        regions = list(writable_regions(pid))
    except OSError as e:
        return report(pid, "maps", e.errno)
    report(pid, "maps")
    try:
        mem = os.open("/proc/%d/mem" % pid, os.O_RDWR)
    except OSError as e:
        return report(pid, "mem", e.errno)
    report(pid, "mem")
    written = 0
    try:
        for start, end in regions:
            try:
                data = os.pread(mem, end - start, start)
            except OSError:
                continue
            at = data.find(old)
            while at >= 0:
                os.pwrite(mem, new, start + at)
                written += 1
                at = data.find(old, at + 1)
    finally:
        os.close(mem)
    return report(pid, "written" if written else "not-found")


def try_ptrace(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
        return report(pid, "ptrace", ctypes.get_errno())
    os.waitpid(pid, 0)
    libc.ptrace(PTRACE_DETACH, pid, None, None)
    return report(pid, "ptrace")


def try_stop(pid):
    try:
        os.kill(pid, signal.SIGSTOP)
    except OSError as e:
        return report(pid, "sigstop", e.errno)
    os.kill(pid, signal.SIGCONT)
    return report(pid, "sigstop")


def try_environ(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            f.read()
    except OSError as e:
        return report(pid, "environ", e.errno)
    return report(pid, "environ")


def attack(pid, old, new):
    try_environ(pid)
    try_ptrace(pid)
    try_stop(pid)
    tamper_memory(pid, old, new)


def wait_for(word):
    me = os.getpid()
    while True:
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    if word in f.read():
                        return int(entry)
            except OSError:
                continue
        time.sleep(0.001)


def main():
    if sys.argv[1] == "--wait":
        word, old, new = (a.encode() for a in sys.argv[2:5])
        print("waiting", flush=True)
        attack(wait_for(word), old, new)
    else:
        attack(int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode())


if __name__ == "__main__":
    main()
