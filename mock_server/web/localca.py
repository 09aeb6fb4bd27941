"""A certificate authority per user, for the HTTPS mode (TLS for qyapi.weixin.qq.com).

Created on first use under the user's data directory (never in a repository):
``$WECOM_MOCK_HOME``, else ``$XDG_DATA_HOME/wecom-mock``, else the platform's usual place.
The CA is *name-constrained*: it can only vouch for the WeCom API hosts and loopback, so
trusting it cannot make any other site's certificate pass. ``wecom-mock ca --remove``
deletes it (and the README says how to remove its trust).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mock_server.core.netguard import WECOM_HOSTS

SERVED_HOSTS = (*sorted(WECOM_HOSTS), "localhost")
SERVED_IPS = ("127.0.0.1", "::1")
CA_NAME = "wecom-mock local CA (this machine only)"


def data_dir() -> Path:
    """Where wecom-mock keeps per-user files (the CA)."""
    explicit = os.environ.get("WECOM_MOCK_HOME")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Application Support"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return root / "wecom-mock"


@dataclass(frozen=True)
class LocalCA:
    cert_path: Path  # the file to trust (PEM)
    key_path: Path
    leaf_cert_path: Path  # the server certificate for the WeCom hosts + its key
    leaf_key_path: Path


def ca_paths(home: Path | None = None) -> LocalCA:
    d = (home or data_dir()) / "ca"
    return LocalCA(d / "ca.pem", d / "ca-key.pem", d / "server.pem", d / "server-key.pem")


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def ensure_ca(home: Path | None = None) -> LocalCA:
    """The user's CA and a server certificate for the WeCom hosts, created if missing."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    paths = ca_paths(home)
    now = datetime.datetime.now(datetime.timezone.utc)
    pem = serialization.Encoding.PEM
    pkcs8 = serialization.PrivateFormat.PKCS8
    nokey = serialization.NoEncryption()

    if paths.cert_path.is_file() and paths.key_path.is_file():
        ca_cert = x509.load_pem_x509_certificate(paths.cert_path.read_bytes())
        ca_key = serialization.load_pem_private_key(paths.key_path.read_bytes(), None)
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "wecom-mock"),
                x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            ]
        )
        permitted: list[x509.GeneralName] = [x509.DNSName(h) for h in SERVED_HOSTS]
        permitted += [
            x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
            x509.IPAddress(ipaddress.ip_network("::1/128")),
        ]
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.NameConstraints(permitted, None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(paths.key_path, ca_key.private_bytes(pem, pkcs8, nokey))
        paths.cert_path.write_bytes(ca_cert.public_bytes(pem))

    leaf_ok = paths.leaf_cert_path.is_file() and paths.leaf_key_path.is_file()
    if leaf_ok:
        leaf = x509.load_pem_x509_certificate(paths.leaf_cert_path.read_bytes())
        leaf_ok = (
            leaf.issuer == ca_cert.subject
            and leaf.not_valid_after_utc > now + datetime.timedelta(days=7)
        )
    if not leaf_ok:
        key = ec.generate_private_key(ec.SECP256R1())
        sans: list[x509.GeneralName] = [x509.DNSName(h) for h in SERVED_HOSTS]
        sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVED_IPS]
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVED_HOSTS[0])]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=397))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
        )
        _write_private(paths.leaf_key_path, key.private_bytes(pem, pkcs8, nokey))
        paths.leaf_cert_path.write_bytes(leaf.public_bytes(pem))
    return paths


def remove_ca(home: Path | None = None) -> list[Path]:
    """Delete the CA and server certificate files; the removed paths."""
    paths = ca_paths(home)
    removed = []
    for p in (paths.cert_path, paths.key_path, paths.leaf_cert_path, paths.leaf_key_path):
        if p.exists():
            p.unlink()
            removed.append(p)
    return removed


def trust_help(ca: LocalCA) -> str:
    """How to trust the CA per client, and how to remove the trust again."""
    c = ca.cert_path
    return f"""CA certificate: {c}
(name-constrained: valid only for {", ".join(SERVED_HOSTS)} and loopback addresses)

Trust it for one process (nothing to undo):
  Python requests      REQUESTS_CA_BUNDLE={c}
  httpx, aiohttp, urllib, Go, Ruby, PHP      SSL_CERT_FILE={c}
  curl                 curl --cacert {c} ...   (or CURL_CA_BUNDLE={c})
  Node.js              NODE_EXTRA_CA_CERTS={c}
  Java                 keytool -importcert -noprompt -alias wecom-mock -file {c} \\
                         -keystore wecom-mock.jks -storepass changeit
                       java -Djavax.net.ssl.trustStore=wecom-mock.jks -Djavax.net.ssl.trustStorePassword=changeit ...
Note: SSL_CERT_FILE / REQUESTS_CA_BUNDLE replace the default CA list for that process; for an
app that also talks to other HTTPS hosts, point them at a bundle of the system CAs plus this file.

Remove: delete the Java keystore if you made one, then `wecom-mock ca --remove`.
(System-wide trust is not needed; if you added it, undo it first: Debian/Ubuntu
`sudo rm /usr/local/share/ca-certificates/wecom-mock.crt && sudo update-ca-certificates --fresh`;
macOS `sudo security delete-certificate -c "{CA_NAME}"`.)
"""
