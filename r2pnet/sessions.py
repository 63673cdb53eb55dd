"""The signed session cookie, sent again when it changed or is due a refresh, not on every page.

Flask re-signs and re-sends a permanent session's cookie on every response, so that activity
keeps a session alive (it ends after PERMANENT_SESSION_LIFETIME idle). Signing, compressing and
sending it cost more than a small page's own work; refreshing it once it is REFRESH_AFTER old
keeps the idle timeout to within those minutes.
"""
import datetime as dt

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = dt.timedelta(minutes=5)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, remembering when its cookie was signed."""

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session):
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or dt.datetime.now(dt.timezone.utc) - signed_at >= REFRESH_AFTER
