"""The signed session cookie, sent again when it changed or is due a refresh, not on every page.

Flask re-signs and re-sends a permanent session's cookie on every response, so that activity
keeps a session alive (it ends after PERMANENT_SESSION_LIFETIME idle). Signing, compressing and
sending it cost more than a small page's own work; refreshing it once it is REFRESH_AFTER old
keeps the idle timeout to within those minutes.

Checking a cookie's signature and decoding it cost a tenth of a small page. A cookie that
checked out is remembered (by its exact text) with what it holds and when it was signed, so
its next visits only check its age; only cookies whose values cannot be changed in place (no
flashed messages) are remembered, each visit getting its own copy.
"""
import datetime as dt
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = dt.timedelta(minutes=5)
CHECKED_COOKIES = 4096  # remembered per process; forgotten all at once when full
IMMUTABLE = (str, int, float, bool, type(None))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, remembering when its cookie was signed."""

    def __init__(self):
        self._checked = {}  # cookie text -> (what it holds, when it was signed)

    def open_session(self, app, request):
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        checked = self._checked.get(value)
        if checked is None:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(
                    value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if all(type(item) in IMMUTABLE for item in data.values()):
                if len(self._checked) >= CHECKED_COOKIES:
                    self._checked.clear()
                self._checked[value] = (data, signed_at)
        else:
            data, signed_at = checked
            if int(time.time()) - int(signed_at.timestamp()) > max_age:
                del self._checked[value]
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
