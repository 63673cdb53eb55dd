"""Mail goes out over implicit TLS (smtps://) and STARTTLS with a login, certificates checked."""
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from r2pnet import mail
from r2pnet.config import parse_smtp_url
from tests.helpers import MailCollector


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def _port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and \
        (auth_data.login, auth_data.password) == (b"relay", b"s3cret")
    return AuthResult(success=ok)


def _message(app):
    return mail.build_message("already_member", "someone@example.org", "Over TLS",
                              member=type("M", (), {"name": "Someone"})())


def test_starttls_with_login_delivers_and_checks_the_certificate(app, certificate, monkeypatch):
    cert, context = certificate
    handler, port = MailCollector(), _port()
    server = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                        require_starttls=True, authenticator=_authenticator,
                        auth_require_tls=True)
    server.start()
    try:
        settings = parse_smtp_url(f"smtp+starttls://relay:s3cret@127.0.0.1:{port}")
        with pytest.raises(ssl.SSLCertVerificationError):
            mail.deliver(settings, _message(app))  # an untrusted certificate is refused
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        mail.deliver(settings, _message(app))
    finally:
        server.stop()
    assert [m["Subject"] for m in handler.messages] == ["Over TLS"]


def test_smtps_delivers_over_implicit_tls(app, certificate, monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    handler, port = MailCollector(), _port()
    server = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context)
    server.start()
    try:
        mail.deliver(parse_smtp_url(f"smtps://127.0.0.1:{port}"), _message(app))
    finally:
        server.stop()
    assert [m["Subject"] for m in handler.messages] == ["Over TLS"]
