"""mock_server.core.crypto: published vectors, interop both ways with weworkapi and wechatpy,
the official error codes, and property tests."""

from __future__ import annotations

import base64
import string
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server.core import crypto as c

# callbacks.md §5.1: the official doc vector (doc 90968).
DOC_CORPID = "wx5823bf96d3bd56c7"
DOC_TOKEN = "QDG6eK"
DOC_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
DOC_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLj"
    "vd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMn"
    "vw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k"
    "22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
    "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
DOC_MSG = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n"
    "<AgentID>218</AgentID>\n"
    "</xml>"
)

# callbacks.md §5.3: wechatpy's WeChat Work vector (fixed random prefix).
WP_TOKEN, WP_KEY, WP_CORPID = (
    "123456",
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "wx49f0ab532d5d035a",
)
WP_REPLY = "\n".join(
    [
        "<xml>",
        "<MsgType><![CDATA[text]]></MsgType>",
        "<Content><![CDATA[test]]></Content>",
        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>",
        "<ToUserName><![CDATA[messense]]></ToUserName>",
        "<AgentID>1</AgentID>",
        "<CreateTime>1411525903</CreateTime>",
        "</xml>",
    ]
)
WP_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNc"
    "BqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY"
    "0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsV"
    "bwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAG"
    "VRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)

ALNUM = string.ascii_letters + string.digits
keys = st.text(ALNUM, min_size=43, max_size=43)
tokens = st.text(ALNUM, min_size=1, max_size=32)
nonces = st.text(ALNUM, min_size=1, max_size=16)
timestamps = st.integers(0, 2**32 - 1).map(str)


def compose(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Several decorators as one (applied in the order written, outermost first)."""

    def apply(fn: Any) -> Any:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


# -- vectors ------------------------------------------------------------------------------
def test_doc_vector_signature_and_decryption() -> None:
    assert (
        c.signature(DOC_TOKEN, "1409659813", "1372623149", DOC_ENCRYPT)
        == "477715d11cdb4164915debcba66cb864d751f3e6"
    )
    parts = c.decrypt_parts(DOC_ENCRYPT, DOC_KEY)
    assert parts.random == b"0960688932c47ef1"
    assert parts.receiveid == DOC_CORPID
    assert parts.text == DOC_MSG
    assert len(parts.message) == 284


def test_doc_vector_reencrypts_to_the_same_ciphertext() -> None:
    assert c.encrypt(DOC_MSG, DOC_KEY, DOC_CORPID, random=b"0960688932c47ef1") == DOC_ENCRYPT


def test_go_workwx_url_verification_vector() -> None:
    box = c.WeComCrypto(
        "kjr2TKI8umCBfVF3wAHk8JiPwma5VBme",
        "4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws",
        "ww6a112864f8022910",
    )
    echostr = (
        "6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC/nIX3ZNt9w=="
    )
    sig = "1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011"
    assert box.verify_url(sig, "1583940690", "VHh7ymSeb0jc4lSb", echostr) == (
        "94966531020182955848408"
    )
    assert box.encrypt("94966531020182955848408", random=b"5QMsYcwjR95t2vmC") == echostr


def test_go_workwx_post_vector() -> None:
    # callbacks.md §5.2: a real callback captured by go-workwx (signature/mod_test.go).
    body = (
        "fyVN9BUnH6xNl0/VCHTCg6XGxxvoFdyZ7VQbAbBcQ79dVccYvdIyJYZSMMhkPy8LPaoe+V27qjoQ553fXavmrP"
        "OgxzHrKKf3YIu63pB4/nN0LY4S+GzUFi/LLFj1TI1sOh0q2jT5u1nYz5G3HFNLd3DFUvJVLtZl8mVMwUOzBpzK"
        "ZhhmCvIJLVlvym9tt+VYwG06MSbmnf9AzYFKhm1BIy+95Q824ilY6Wy8l+vkFqEdASl2k83jMXvlkVRSB3hmNp"
        "tWTbq8ygDdLtkCyA4UEiZvfTskqqVkbYwLptRl/1F+DVL9SH/TWt2j3dCm4rzY5jQG+fA+2xh2Kk+OrVgafqtQ"
        "Cfhjq8C38A2IwCcg2BONKk8s5ijFxQoszmXvJQ3zLYbjzRWQ40xhryDyPNNse7/slKVW2QMBEUPNOxUcX9k="
    )
    box = c.WeComCrypto(
        "kz7Yx62CH8SaLN", "cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP", "wwf181555a13a31443"
    )
    envelope = c.callback_xml(body, "wwf181555a13a31443", 1000002)
    sig = "a44d1b7dc3dc4b02edd99dc32afa6a26be7c92f6"
    fields = c.parse_xml_fields(box.decrypt_message(envelope, sig, "1583995625", "1584392382"))
    assert (fields["FromUserName"], fields["Content"], fields["MsgId"]) == (
        "xen0n",
        "x123",
        "2018405441",
    )


def test_wechatpy_passive_reply_vector() -> None:
    box = c.WeComCrypto(WP_TOKEN, WP_KEY, WP_CORPID)
    xml = box.encrypt_message(WP_REPLY, "461056294", "1411525903", random=b"1234567890123456")
    fields = c.parse_xml_fields(xml)
    assert fields["Encrypt"] == WP_ENCRYPT
    assert fields["MsgSignature"] == "407518b7649e86ef23978113f92d27afa9296533"
    assert box.decrypt_reply(xml) == WP_REPLY


def test_padding_is_to_32_byte_blocks() -> None:
    assert c.pkcs7_pad(b"x" * 32)[-1] == 32 and len(c.pkcs7_pad(b"x" * 32)) == 64
    assert c.pkcs7_pad(b"x" * 2) == b"x" * 2 + bytes([30]) * 30
    assert c.pkcs7_unpad(c.pkcs7_pad(b"abc")) == b"abc"


# -- the official error codes -------------------------------------------------------------
def _doc_box() -> c.WeComCrypto:
    return c.WeComCrypto(DOC_TOKEN, DOC_KEY, DOC_CORPID)


BAD_KEYS: tuple[Any, ...] = ("", "short", "a" * 42 + "=", "a" * 44, "a" * 42 + "-", None)
# Each official return code, with a call that provokes it.
ERROR_CASES: list[tuple[type[c.CryptoError], int, Callable[[], object]]] = [
    (  # a signature that signs something else
        c.ValidateSignatureError,
        -40001,
        lambda: _doc_box().decrypt_message(
            c.callback_xml(DOC_ENCRYPT, DOC_CORPID, 218), "0" * 40, "1409659813", "1372623149"
        ),
    ),
    (c.ParseXmlError, -40002, lambda: _doc_box().decrypt_message("<xml><Encrypt>", "x", "1", "2")),
    (  # parses, but lacks the signature elements
        c.ParseXmlError,
        -40002,
        lambda: _doc_box().decrypt_reply("<xml><Encrypt>abc</Encrypt></xml>"),
    ),
    (c.ComputeSignatureError, -40003, lambda: c.signature("\ud800", "1", "2", "3")),
    (c.ValidateReceiveIdError, -40005, lambda: c.decrypt(DOC_ENCRYPT, DOC_KEY, "wwsomebodyelse")),
    (c.EncryptAESError, -40006, lambda: c.encrypt("x", DOC_KEY, "ww1", random=b"short")),
    (  # a ciphertext that is not whole AES blocks
        c.DecryptAESError,
        -40007,
        lambda: c.decrypt(base64.b64encode(b"x" * 17).decode(), DOC_KEY, None),
    ),
    # The wrong key yields a buffer whose padding/length make no sense.
    (c.IllegalBufferError, -40008, lambda: c.decrypt(DOC_ENCRYPT, WP_KEY, None)),
    (c.DecodeBase64Error, -40010, lambda: c.decrypt("not base64!!", DOC_KEY, None)),
    *((c.IllegalAesKeyError, -40004, partial(c.WeComCrypto, "t", key, "ww1")) for key in BAD_KEYS),
]


@pytest.mark.parametrize(("error", "code", "call"), ERROR_CASES)
def test_each_failure_raises_its_official_code(
    error: type[c.CryptoError], code: int, call: Callable[[], object]
) -> None:
    with pytest.raises(error) as err:
        call()
    assert err.value.code == code


def test_error_table_mirrors_ierror() -> None:
    from weworkapi import ierror

    official = {v: k for k, v in vars(ierror).items() if k.startswith("WXBizMsgCrypt_") and v != 0}
    assert set(c.ERRORS) == set(official)


# -- interop, both ways, both libraries -----------------------------------------------------
# What every interop test draws: a message, its receiveid and a callback configuration.
interop = compose(
    settings(max_examples=40, deadline=None),
    given(
        msg=st.text(),
        receiveid=st.text(max_size=40),
        key=keys,
        token=tokens,
        nonce=nonces,
        ts=timestamps,
    ),
)


@interop
def test_weworkapi_decrypts_what_we_send(
    msg: str, receiveid: str, key: str, token: str, nonce: str, ts: str
) -> None:
    encrypt_text = c.encrypt(msg, key, receiveid)
    body = c.callback_xml(encrypt_text, "wwdemo", 1000002)
    sig = c.signature(token, ts, nonce, encrypt_text)
    ret, plain = WXBizMsgCrypt(token, key, receiveid).DecryptMsg(body, sig, ts, nonce)
    assert ret == 0
    assert plain.decode("utf-8") == msg


@interop
def test_we_decrypt_what_weworkapi_sends(
    msg: str, receiveid: str, key: str, token: str, nonce: str, ts: str
) -> None:
    ret, xml = WXBizMsgCrypt(token, key, receiveid).EncryptMsg(msg, nonce, ts)
    assert ret == 0
    assert c.WeComCrypto(token, key, receiveid).decrypt_reply(xml) == msg


@interop
def test_wechatpy_decrypts_what_we_send(
    msg: str, receiveid: str, key: str, token: str, nonce: str, ts: str
) -> None:
    encrypt_text = c.encrypt(msg, key, receiveid)
    body = c.callback_xml(encrypt_text, "wwdemo", None)
    sig = c.signature(token, ts, nonce, encrypt_text)
    assert WeChatCrypto(token, key, receiveid).decrypt_message(body, sig, ts, nonce) == msg


@interop
def test_we_decrypt_what_wechatpy_sends(
    msg: str, receiveid: str, key: str, token: str, nonce: str, ts: str
) -> None:
    xml = WeChatCrypto(token, key, receiveid).encrypt_message(msg, nonce, ts)
    assert c.WeComCrypto(token, key, receiveid).decrypt_reply(xml) == msg


@settings(max_examples=30, deadline=None)
@given(
    echo=st.text(string.digits, min_size=1, max_size=30),
    key=keys,
    token=tokens,
    nonce=nonces,
    ts=timestamps,
)
def test_url_verification_interop(echo: str, key: str, token: str, nonce: str, ts: str) -> None:
    corpid = "wwdemo0000000000001"
    echostr = c.encrypt(echo, key, corpid)
    sig = c.signature(token, ts, nonce, echostr)
    ret, plain = WXBizMsgCrypt(token, key, corpid).VerifyURL(sig, ts, nonce, echostr)
    assert (ret, plain.decode()) == (0, echo)
    assert WeChatCrypto(token, key, corpid).check_signature(sig, ts, nonce, echostr) == echo
    with pytest.raises(InvalidSignatureException):
        WeChatCrypto(token + "x", key, corpid).check_signature(sig, ts, nonce, echostr)


@settings(max_examples=60, deadline=None)
@given(junk=st.one_of(st.text(), st.binary().map(lambda b: base64.b64encode(b).decode())), key=keys)
def test_decrypting_junk_only_raises_crypto_errors(junk: str, key: str) -> None:
    try:
        c.decrypt(junk, key, "ww1")
    except c.CryptoError as exc:
        assert -40011 <= exc.code <= -40001
