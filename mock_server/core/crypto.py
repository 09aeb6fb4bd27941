"""WXBizMsgCrypt-compatible callback crypto (WeCom doc 90968), built on pycryptodome.

WeCom signs every callback with ``sha1(sorted(token, timestamp, nonce, encrypt))`` and
encrypts ``random(16) || len(msg) big-endian u32 || msg || receiveid`` with AES-256-CBC
(key = base64 of the 43-char EncodingAESKey, IV = the key's first 16 bytes, PKCS#7 padding
to 32-byte blocks). The emulator plays WeCom: it encrypts and signs callbacks and verifies
and decrypts the app's passive replies. Failures raise a :class:`CryptoError` subclass
carrying the official library's return code (``ierror.py``: -40001 ... -40011).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import string
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from Crypto.Cipher._mode_cbc import CbcMode

BLOCK_SIZE = 32  # WeCom pads to 32 bytes although AES blocks are 16
_KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")
_RANDOM_ALPHABET = (string.ascii_letters + string.digits).encode()


class CryptoError(ValueError):
    """A callback crypto failure; ``code`` is the official WXBizMsgCrypt return code."""

    code = -40000
    name = "WXBizMsgCrypt_Error"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"{self.code} {self.name}" + (f": {detail}" if detail else ""))


class ValidateSignatureError(CryptoError):
    code, name = -40001, "ValidateSignature_Error"


class ParseXmlError(CryptoError):
    code, name = -40002, "ParseXml_Error"


class ComputeSignatureError(CryptoError):
    code, name = -40003, "ComputeSignature_Error"


class IllegalAesKeyError(CryptoError):
    code, name = -40004, "IllegalAesKey"


class ValidateReceiveIdError(CryptoError):
    """The receiveid (CorpID) inside the plaintext is not the expected one."""

    code, name = -40005, "ValidateCorpid_Error"


class EncryptAESError(CryptoError):
    code, name = -40006, "EncryptAES_Error"


class DecryptAESError(CryptoError):
    code, name = -40007, "DecryptAES_Error"


class IllegalBufferError(CryptoError):
    code, name = -40008, "IllegalBuffer"


class EncodeBase64Error(CryptoError):
    code, name = -40009, "EncodeBase64_Error"


class DecodeBase64Error(CryptoError):
    code, name = -40010, "DecodeBase64_Error"


class GenReturnXmlError(CryptoError):
    code, name = -40011, "GenReturnXml_Error"


# Every subclass above, by code (the official ``ierror.py`` table).
ERRORS: dict[int, type[CryptoError]] = {cls.code: cls for cls in CryptoError.__subclasses__()}


# -- primitives --------------------------------------------------------------------------
def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey (-40004 if malformed)."""
    if not isinstance(encoding_aes_key, str) or not _KEY_RE.match(encoding_aes_key):
        raise IllegalAesKeyError("EncodingAESKey must be 43 characters of [A-Za-z0-9]")
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:  # pragma: no cover - 43 base64 chars always give 32 bytes
        raise IllegalAesKeyError("EncodingAESKey does not decode to 32 bytes")
    return key


def generate_encoding_aes_key(seed_bytes: bytes | None = None) -> str:
    """A fresh EncodingAESKey (what the console's "random" button produces)."""
    raw = seed_bytes if seed_bytes is not None else os.urandom(32)
    if len(raw) != 32:
        raise IllegalAesKeyError("need exactly 32 key bytes")
    return base64.b64encode(raw).decode()[:43]


def signature(token: str, timestamp: str | int, nonce: str, encrypt: str) -> str:
    """``msg_signature``: sha1 over the lexicographically sorted four strings, hex."""
    try:
        parts = sorted([str(token), str(timestamp), str(nonce), str(encrypt)])
        return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()
    except (TypeError, UnicodeEncodeError) as exc:
        raise ComputeSignatureError(str(exc)) from None


def check_signature(
    token: str, timestamp: str | int, nonce: str, encrypt: str, msg_signature: str
) -> None:
    """Raise -40001 unless ``msg_signature`` signs the other values."""
    if signature(token, timestamp, nonce, encrypt) != msg_signature:
        raise ValidateSignatureError("msg_signature does not match")


def pkcs7_pad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    pad = block_size - len(data) % block_size
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    """Strip WeCom's padding (1..32 bytes, all equal) or raise -40008."""
    if not data:
        raise IllegalBufferError("empty plaintext")
    pad = data[-1]
    if not 1 <= pad <= block_size or pad > len(data) or data[-pad:] != bytes([pad]) * pad:
        raise IllegalBufferError(f"bad padding byte {pad}")
    return data[:-pad]


def aes_encrypt(key: bytes, plain: bytes) -> bytes:
    """AES-256-CBC as WeCom uses it: IV = the key's first 16 bytes, 32-byte PKCS#7 padding."""
    return aes_cbc(key).encrypt(pkcs7_pad(plain))


def aes_decrypt(key: bytes, cipher: bytes) -> bytes:
    """The inverse of :func:`aes_encrypt` (-40007 on a length that is not whole blocks,
    -40008 on bad padding)."""
    if not cipher or len(cipher) % 16:
        raise DecryptAESError(f"ciphertext length {len(cipher)} is not a multiple of 16")
    return pkcs7_unpad(aes_cbc(key).decrypt(cipher))


def random_prefix() -> bytes:
    """16 random alphanumerics (receivers ignore them)."""
    raw = os.urandom(16)
    return bytes(_RANDOM_ALPHABET[b % len(_RANDOM_ALPHABET)] for b in raw)


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def encrypt(
    message: str | bytes,
    encoding_aes_key: str,
    receiveid: str,
    *,
    random: bytes | None = None,
) -> str:
    """Base64 ciphertext of ``message`` for ``receiveid`` (the ``<Encrypt>`` / echostr text)."""
    return _encrypt(aes_key(encoding_aes_key), message, receiveid, random)


def aes_cbc(key: bytes) -> CbcMode:
    """An AES-CBC cipher with WeCom's IV (the key's first 16 bytes).

    pycryptodome is imported on first use: loading it (and cffi, which parses C headers) is
    a large share of start-up, and most runs never encrypt a callback.
    """
    from Crypto.Cipher import AES

    cipher: CbcMode = AES.new(key, AES.MODE_CBC, key[:16])
    return cipher


def _encrypt(key: bytes, message: str | bytes, receiveid: str, random: bytes | None) -> str:
    prefix = random_prefix() if random is None else random
    if len(prefix) != 16:
        raise EncryptAESError("the random prefix must be 16 bytes")
    msg = _to_bytes(message)
    try:
        plain = prefix + struct.pack(">I", len(msg)) + msg + _to_bytes(receiveid)
    except (struct.error, UnicodeEncodeError) as exc:
        raise EncryptAESError(str(exc)) from None
    try:
        cipher = aes_encrypt(key, plain)
    except ValueError as exc:  # pragma: no cover - padding makes this unreachable
        raise EncryptAESError(str(exc)) from None
    return base64.b64encode(cipher).decode("ascii")


@dataclass(frozen=True)
class Decrypted:
    """The parts of a decrypted buffer."""

    random: bytes
    message: bytes
    receiveid: str

    @property
    def text(self) -> str:
        try:
            return self.message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IllegalBufferError(f"message is not UTF-8: {exc.reason}") from None


def decrypt_parts(ciphertext: str | bytes, encoding_aes_key: str) -> Decrypted:
    """Decrypt without checking the receiveid (-40010 / -40007 / -40008 on failure)."""
    return _decrypt_parts(aes_key(encoding_aes_key), ciphertext)


def _decrypt_parts(key: bytes, ciphertext: str | bytes) -> Decrypted:
    try:
        raw = base64.b64decode(_to_bytes(ciphertext), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecodeBase64Error(str(exc)) from None
    content = aes_decrypt(key, raw)
    if len(content) < 20:
        raise IllegalBufferError("buffer shorter than random + length")
    (length,) = struct.unpack(">I", content[16:20])
    if 20 + length > len(content):
        raise IllegalBufferError(f"message length {length} exceeds the buffer")
    tail = content[20 + length :]
    try:
        rid = tail.decode("utf-8")
    except UnicodeDecodeError:
        raise IllegalBufferError("receiveid is not UTF-8") from None
    return Decrypted(content[:16], content[20 : 20 + length], rid)


def decrypt(ciphertext: str | bytes, encoding_aes_key: str, receiveid: str | None) -> str:
    """The plaintext message; -40005 if the embedded receiveid is not ``receiveid``."""
    return _check_receiveid(decrypt_parts(ciphertext, encoding_aes_key), receiveid)


def _check_receiveid(parts: Decrypted, receiveid: str | None) -> str:
    if receiveid is not None and parts.receiveid != receiveid:
        raise ValidateReceiveIdError(f"receiveid {parts.receiveid!r} != {receiveid!r}")
    return parts.text


# -- XML envelopes -----------------------------------------------------------------------
def cdata(text: str) -> str:
    """A CDATA section that survives ``]]>`` inside the text."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def parse_xml_fields(body: str | bytes) -> dict[str, str]:
    """Top-level element texts of an ``<xml>`` document (-40002 if it does not parse)."""
    import xml.etree.ElementTree as ET  # on first use (start-up)

    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, TypeError) as exc:
        raise ParseXmlError(str(exc)) from None
    return {child.tag: (child.text or "") for child in root}


def reply_xml(encrypt_text: str, msg_signature: str, timestamp: str | int, nonce: str) -> str:
    """The passive-reply envelope (``Encrypt``, ``MsgSignature``, ``TimeStamp``, ``Nonce``)."""
    return (
        "<xml>\n"
        f"<Encrypt>{cdata(encrypt_text)}</Encrypt>\n"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>\n"
        f"<TimeStamp>{timestamp}</TimeStamp>\n"
        f"<Nonce>{cdata(str(nonce))}</Nonce>\n"
        "</xml>"
    )


def callback_xml(encrypt_text: str, to_user: str, agentid: int | str | None) -> str:
    """The POST body WeCom sends to a callback URL (``ToUserName``, ``AgentID``, ``Encrypt``)."""
    agent = "" if agentid is None else str(agentid)
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<AgentID>{cdata(agent)}</AgentID>"
        f"<Encrypt>{cdata(encrypt_text)}</Encrypt>"
        "</xml>"
    )


class WeComCrypto:
    """One callback configuration (Token, EncodingAESKey, receiveid) - like WXBizMsgCrypt.

    Works in both directions: ``encrypt_message``/``decrypt_message`` for the passive reply
    format, ``sign``/``encrypt`` for callbacks the emulator sends, ``verify_url`` for echostr.
    """

    def __init__(self, token: str, encoding_aes_key: str, receiveid: str) -> None:
        self.key = aes_key(encoding_aes_key)
        self.token = token
        self.encoding_aes_key = encoding_aes_key
        self.receiveid = receiveid

    def sign(self, timestamp: str | int, nonce: str, encrypt_text: str) -> str:
        return signature(self.token, timestamp, nonce, encrypt_text)

    def encrypt(self, message: str | bytes, *, random: bytes | None = None) -> str:
        return _encrypt(self.key, message, self.receiveid, random)

    def decrypt(self, encrypt_text: str | bytes) -> str:
        return _check_receiveid(_decrypt_parts(self.key, encrypt_text), self.receiveid)

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The echostr plaintext an app must answer (what ``VerifyURL`` returns)."""
        check_signature(self.token, timestamp, nonce, echostr, msg_signature)
        return self.decrypt(echostr)

    def encrypt_message(
        self,
        message: str | bytes,
        nonce: str,
        timestamp: str | int,
        *,
        random: bytes | None = None,
    ) -> str:
        """The encrypted, signed passive-reply XML (what ``EncryptMsg`` returns)."""
        encrypt_text = self.encrypt(message, random=random)
        return reply_xml(encrypt_text, self.sign(timestamp, nonce, encrypt_text), timestamp, nonce)

    def decrypt_message(
        self, body: str | bytes, msg_signature: str, timestamp: str | int, nonce: str
    ) -> str:
        """Verify and decrypt a POST body carrying ``<Encrypt>`` (what ``DecryptMsg`` does)."""
        fields = _fields(body, ("Encrypt",))
        return self._open(fields["Encrypt"], msg_signature, timestamp, nonce)

    def decrypt_reply(self, body: str | bytes) -> str:
        """Verify and decrypt a passive reply (signature data carried inside the XML)."""
        f = _fields(body, ("Encrypt", "MsgSignature", "TimeStamp", "Nonce"))
        return self._open(f["Encrypt"], f["MsgSignature"], f["TimeStamp"], f["Nonce"])

    def _open(self, encrypt_text: str, msg_signature: str, timestamp: str | int, nonce: str) -> str:
        check_signature(self.token, timestamp, nonce, encrypt_text, msg_signature)
        return self.decrypt(encrypt_text)


def _fields(body: str | bytes, required: tuple[str, ...]) -> dict[str, str]:
    """The envelope's fields; -40002 when it does not parse or lacks one of ``required``."""
    fields = parse_xml_fields(body)
    missing = [k for k in required if k not in fields]
    if missing:
        raise ParseXmlError(f"no <{'>, <'.join(missing)}> element")
    return fields


__all__ = [
    "BLOCK_SIZE",
    "ERRORS",
    "ComputeSignatureError",
    "CryptoError",
    "DecodeBase64Error",
    "DecryptAESError",
    "Decrypted",
    "EncodeBase64Error",
    "EncryptAESError",
    "GenReturnXmlError",
    "IllegalAesKeyError",
    "IllegalBufferError",
    "ParseXmlError",
    "ValidateReceiveIdError",
    "ValidateSignatureError",
    "WeComCrypto",
    "aes_decrypt",
    "aes_encrypt",
    "aes_key",
    "callback_xml",
    "cdata",
    "check_signature",
    "decrypt",
    "decrypt_parts",
    "encrypt",
    "generate_encoding_aes_key",
    "parse_xml_fields",
    "pkcs7_pad",
    "pkcs7_unpad",
    "reply_xml",
    "signature",
]
