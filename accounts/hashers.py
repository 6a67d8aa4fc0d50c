"""Password hashers that hash at a lower CPU priority than the pages.

A password hash is slow on purpose: Argon2 at Django's own defaults (time cost 2, 100 MiB,
8 lanes) costs about 0.19 s of CPU a verification, PBKDF2 at Django 5.2's 1,000,000
iterations about 0.31 s. In a morning login storm (50 street users logging in within a few
seconds) that is seconds of CPU on a small machine, and a page request that arrives
meanwhile would queue behind it at the same priority.

So each hash runs in a small pool of threads of its own (``PASSWORD_HASH_THREADS`` per
process, default the number of cores) whose Linux nice value is raised to
``PASSWORD_HASH_NICE`` (default 10): the scheduler then gives a page request's thread about
nine times the CPU share of a hashing thread (weights 1024 against 110), so pages preempt
logins instead of waiting behind them, while the hash itself keeps its full strength.
Linux keeps the nice value per thread, and the threads libargon2 starts for its lanes
inherit it. The request thread waits for the result (the hash libraries release the GIL, so
other requests of the process run meanwhile). Raising one's own nice value needs no
privilege; it is never lowered back, hence threads of their own rather than a change around
the call. ``PASSWORD_HASH_NICE = 0`` hashes in the request's own thread, as Django does.

The classes keep Django's algorithm names and parameters: the stored hashes are exactly
Django's (``argon2$argon2id$v=19$m=102400,t=2,p=8$...``), readable by Django's own hashers
and the other way round; a PBKDF2 hash is verified and upgraded to Argon2 at the next login
(Django's ``check_password`` does that because Argon2 is first in ``PASSWORD_HASHERS``).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth import hashers

_state = threading.local()
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def hash_nice() -> int:
    return int(getattr(settings, "PASSWORD_HASH_NICE", 10))


def hash_threads() -> int:
    configured = int(getattr(settings, "PASSWORD_HASH_THREADS", 0))
    return configured or len(os.sched_getaffinity(0)) or 1


def _lower_own_priority(nice: int) -> None:
    """Raise this thread's nice value to ``nice`` (never lower it: that needs privilege)."""
    _state.hashing_thread = True
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        if current < nice:
            os.setpriority(os.PRIO_PROCESS, thread, nice)
    except (AttributeError, OSError):  # not Linux, or refused: hash at the usual priority
        pass


def _executor() -> ThreadPoolExecutor:
    """This process's pool, made on first use (gunicorn forks its workers after loading the
    application, and threads do not survive a fork: hence made lazily, per process id)."""
    global _pool, _pool_pid
    pid = os.getpid()
    if _pool is None or _pool_pid != pid:
        with _lock:
            if _pool is None or _pool_pid != pid:
                _pool = ThreadPoolExecutor(
                    max_workers=hash_threads(),
                    thread_name_prefix="password-hash",
                    initializer=_lower_own_priority,
                    initargs=(hash_nice(),),
                )
                _pool_pid = pid
    return _pool


def run_hash(function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a hashing thread at the lower priority, waiting for
    it; in this thread when ``PASSWORD_HASH_NICE`` is 0 or this already is a hashing thread."""
    if hash_nice() <= 0 or getattr(_state, "hashing_thread", False):
        return function(*args, **kwargs)
    return _executor().submit(function, *args, **kwargs).result()


class LowPriorityHashing:
    """Mixin for a Django hasher: encode and verify run through :func:`run_hash`."""

    def encode(self, password, salt, *args, **kwargs):
        return run_hash(super().encode, password, salt, *args, **kwargs)

    def verify(self, password, encoded):
        return run_hash(super().verify, password, encoded)


class Argon2PasswordHasher(LowPriorityHashing, hashers.Argon2PasswordHasher):
    """Django's Argon2 (argon2id, time cost 2, 100 MiB, 8 lanes), at the lower priority."""


class PBKDF2PasswordHasher(LowPriorityHashing, hashers.PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 (1,000,000 iterations in 5.2): verifies the hashes stored before
    Argon2 came first (each is upgraded to Argon2 at its user's next login)."""


class PBKDF2SHA1PasswordHasher(LowPriorityHashing, hashers.PBKDF2SHA1PasswordHasher):
    pass


class ScryptPasswordHasher(LowPriorityHashing, hashers.ScryptPasswordHasher):
    pass
