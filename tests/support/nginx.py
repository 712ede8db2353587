"""The real nginx (Debian's package) in front of test servers, with the project's own site file.

:func:`render_site` turns ``installers/server/nginx-loket.conf`` into a file that runs here:
the listen addresses on 127.0.0.1 and free ports, the certificate paths, the log folder and
the upstream's server lines substituted, nothing else changed (every substitution must
match, so a change to the real file that the tests would no longer cover fails them).
:class:`Nginx` writes a top-level ``nginx.conf`` that includes it, checks it with
``nginx -t`` and runs the master in the foreground as a child process (never the system
service). :func:`self_signed` makes a certificate for 127.0.0.1 with ``cryptography``.
``Nginx(..., host=ADDR, netns=NS)`` listens on ``ADDR`` inside network namespace ``NS``
instead (the link emulator, tests/support/linkemu.py), its certificate made for ``ADDR``;
``chain=True`` serves an RSA chain the size of a public CA's (:func:`rsa_chain`); a client
trusts ``ca_bundle``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import pwd
import re
import shutil
import signal
import subprocess
from pathlib import Path

from .netutil import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SITE_FILE = ROOT / "installers" / "server" / "nginx-loket.conf"
UPSTREAM_LINE = "    server 127.0.0.1:8470 max_fails=3 fail_timeout=10s;\n"


def find_nginx() -> str | None:
    for candidate in ("/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def self_signed(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (and localhost) and its key, as PEM files; the
    certificate is also the CA bundle a client is given."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        # its own issuer, so a CA (OpenSSL takes a trust anchor that is no CA for no anchor)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def rsa_chain(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """A certificate chain shaped like a public CA's RSA one (Let's Encrypt's): an RSA-2048
    leaf for ``host`` signed by an RSA-2048 intermediate signed by a root. Returns (fullchain:
    leaf and intermediate, as nginx sends them; the leaf's key; the root, the client's CA
    bundle). About 2.5 KB of certificates in every full handshake, against 0.5 KB for
    :func:`self_signed`: what a slow link has to carry."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def make(
        subject: str,
        key: rsa.RSAPrivateKey,
        issuer: x509.Name | None,
        signer: rsa.RSAPrivateKey,
        ca: bool,
    ) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
                ),
                critical=False,
            ).add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]
    root = make("Loket test root", keys[0], None, keys[0], True)
    inter = make("Loket test intermediate", keys[1], root.subject, keys[0], True)
    leaf = make(host, keys[2], inter.subject, keys[1], False)
    folder.mkdir(parents=True, exist_ok=True)
    pem = serialization.Encoding.PEM
    chain, key_path, root_path = (
        folder / "fullchain.pem",
        folder / "privkey.pem",
        folder / "root.pem",
    )
    chain.write_bytes(leaf.public_bytes(pem) + inter.public_bytes(pem))
    root_path.write_bytes(root.public_bytes(pem))
    key_path.write_bytes(
        keys[2].private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return chain, key_path, root_path


def _sub(text: str, old: str, new: str, *, regex: bool = False) -> str:
    pattern = old if regex else re.escape(old)
    out, n = re.subn(pattern, lambda _m: new, text)
    assert n, f"{SITE_FILE.name} no longer has {old!r}: update tests/support/nginx.py"
    return out


def render_site(
    *,
    http_port: int,
    https_port: int,
    upstream_ports: list[int],
    cert: Path,
    key: Path,
    log_dir: Path,
    text: str | None = None,
    host: str = "127.0.0.1",
) -> str:
    """The real site file with what differs on a test machine substituted."""
    site = SITE_FILE.read_text() if text is None else text
    site = _sub(site, "    listen [::]:80;\n", "")
    site = _sub(site, "    listen [::]:443 ssl http2;\n", "")
    site = _sub(site, "listen 80;", f"listen {host}:{http_port};")
    site = _sub(site, "listen 443 ssl http2;", f"listen {host}:{https_port} ssl http2;")
    site = _sub(site, "/etc/letsencrypt/live/loket.example.go.id/fullchain.pem", str(cert))
    site = _sub(site, "/etc/letsencrypt/live/loket.example.go.id/privkey.pem", str(key))
    site = _sub(site, "/var/log/nginx/", f"{log_dir}/")
    lines = "".join(UPSTREAM_LINE.replace(":8470", f":{p}") for p in upstream_ports)
    return _sub(site, UPSTREAM_LINE, lines)


class Nginx:
    """nginx with the project's site file on 127.0.0.1, in ``folder``."""

    def __init__(
        self,
        folder: Path,
        upstream_ports: list[int],
        binary: str | None = None,
        host: str = "127.0.0.1",
        netns: str | None = None,
        chain: bool = False,
    ):
        found = binary or find_nginx()
        assert found, "nginx not found (apt-get install nginx)"
        self.binary = found
        self.folder = folder
        self.upstream_ports = upstream_ports
        self.host = host
        self.netns = netns
        # a fresh namespace has every port free
        self.http_port = free_port() if netns is None else 8080
        self.https_port = free_port() if netns is None else 8443
        if chain:
            self.cert, self.key, self.ca_bundle = rsa_chain(folder / "tls", host)
        else:
            self.cert, self.key = self_signed(folder / "tls", host)
            self.ca_bundle = self.cert
        self.logs = folder / "logs"
        self.conf = folder / "nginx.conf"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.https_port}"

    @property
    def access_log(self) -> Path:
        return self.logs / "loket-access.log"

    def write(self) -> Path:
        self.logs.mkdir(parents=True, exist_ok=True)
        site = self.folder / "loket-site.conf"
        site.write_text(
            render_site(
                http_port=self.http_port,
                https_port=self.https_port,
                upstream_ports=self.upstream_ports,
                cert=self.cert,
                key=self.key,
                log_dir=self.logs,
                host=self.host,
            )
        )
        temp = self.folder / "temp"
        # as root, the workers run as this user (default nobody cannot reach pytest's 0700 tmp)
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {self.folder}/nginx.pid;\n"
            f"error_log {self.logs}/error.log info;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "    access_log off;\n"
            + "".join(
                f"    {kind}_temp_path {temp}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"    include {site};\n}}\n"
        )
        return self.conf

    def _cmd(self, *extra: str) -> list[str]:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return [
            *prefix,
            self.binary,
            "-p",
            str(self.folder),
            "-e",
            str(self.logs / "error.log"),
            "-c",
            str(self.conf),
            *extra,
        ]

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t``: the configuration parses and its files load (certificates too)."""
        self.write()
        (self.folder / "temp").mkdir(exist_ok=True)
        return subprocess.run(
            self._cmd("-t"), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )

    def start(self) -> Nginx:
        checked = self.check()
        assert checked.returncode == 0, checked.stderr
        self.proc = subprocess.Popen(
            self._cmd(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if self.netns is None:
            started = wait_for_port(self.host, self.https_port, 20)
        else:
            from .linkemu import in_netns

            ns, host, port = self.netns, self.host, self.https_port
            started = in_netns(ns, lambda: wait_for_port(host, port, 20), timeout=30)
        if not started:
            self.stop()
            raise AssertionError(f"nginx did not start:\n{self.error_log()}")
        return self

    def error_log(self) -> str:
        path = self.logs / "error.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGQUIT)  # graceful: the master stops its workers
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(15)
