"""Seeded identifiers so a run with the same seed hands out the same ids."""

from __future__ import annotations

import hashlib
import random
import string
import threading

_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


class IdGenerator:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        # Error hints draw from their own stream, so the ids a run hands out do not depend
        # on how many errors it met along the way.
        self._hint_rng = random.Random(f"hint:{seed}")
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        # Set by a server started without --seed: tokens then differ on every start and
        # cannot be derived from the seed and issue order alone. Ids stay deterministic.
        self.token_salt: bytes | None = None
        self._restarts = 0
        self._reseeds = 0

    def reseed(self, seed: int | None = None) -> None:
        with self._lock:
            self.seed = self.seed if seed is None else seed
            self._rng = random.Random(self.seed)
            self._hint_rng = random.Random(f"hint:{self.seed}")
            self._counters.clear()
            self._reseeds += 1

    def saved(self) -> tuple[int, int, dict[str, int]]:
        """Seed, restart count and named counters, for a state file. The random streams are
        not saved (5 KB each, changed by every call): after a restart they continue from a
        seed derived from the restart count, so ids stay unique but differ from an
        uninterrupted run with the same seed."""
        with self._lock:
            return (self.seed, self._restarts, dict(self._counters))

    def restore(self, saved: tuple[int, int, dict[str, int]]) -> None:
        """Continue from :meth:`saved` after a restart (see there)."""
        seed, restarts, counters = saved
        with self._lock:
            self.seed = seed
            self._restarts = restarts + 1
            self._rng.seed(f"{seed}:restart:{restarts + 1}")
            self._hint_rng.seed(f"hint:{seed}:restart:{restarts + 1}")
            self._counters = dict(counters)

    def choice_string(self, alphabet: str, length: int) -> str:
        with self._lock:
            return "".join(self._rng.choice(alphabet) for _ in range(length))

    def token(self, length: int = 214) -> str:
        """An opaque URL-safe access_token (real ones are a few hundred chars, unconfirmed).

        The seeded stream is drawn from either way, so salting tokens shifts no other id.
        Tokens are the same for a seed and issue order, counting resets: no token issued
        before a reset is ever issued again after it.
        """
        seeded = self.choice_string(_TOKEN_ALPHABET, length)
        salt = self.token_salt
        if self._reseeds:
            # A reset replays the seeded stream: without this, a token from before it would
            # be handed out again (to another caller, maybe another scope) and work again.
            marker = f"reset:{self._restarts}:{self._reseeds}".encode()
            salt = marker if salt is None else salt + marker
        if salt is None:
            return seeded
        digest = hashlib.shake_256(salt + seeded.encode()).digest(length)
        return "".join(_TOKEN_ALPHABET[b % len(_TOKEN_ALPHABET)] for b in digest)

    def hex(self, length: int) -> str:
        return self.choice_string("0123456789abcdef", length)

    def digits(self, length: int) -> str:
        return self.choice_string(string.digits, length)

    def alnum(self, length: int) -> str:
        return self.choice_string(string.ascii_letters + string.digits, length)

    def hint(self, length: int = 12) -> str:
        """Random digits for an errmsg hint (a separate stream from the ids)."""
        with self._lock:
            return "".join(self._hint_rng.choice(string.digits) for _ in range(length))

    def randint(self, low: int, high: int) -> int:
        with self._lock:
            return self._rng.randint(low, high)

    def random(self) -> float:
        with self._lock:
            return self._rng.random()

    def next(self, name: str, start: int = 1) -> int:
        """A per-name counter (e.g. tag ids), deterministic across runs."""
        with self._lock:
            value = self._counters.get(name, start - 1) + 1
            self._counters[name] = value
            return value
