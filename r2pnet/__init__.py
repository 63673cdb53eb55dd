"""r2pnet: the collaboration service of the national R2P focal points."""
from werkzeug.middleware.proxy_fix import ProxyFix

from r2pnet import permissions
from r2pnet.config import ensure_secret_key, load_config
from r2pnet.extensions import bootstrap, csrf, init_database
from r2pnet.sessions import SessionInterface
from r2pnet.urls import App


def create_app(config=None):
    """Build the application; `config` overrides settings read from the environment."""
    from r2pnet.config import PROJECT_ROOT

    app = App(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"),
                instance_path=str((config or {}).get("INSTANCE_PATH") or PROJECT_ROOT / "instance"))
    settings = load_config(instance_path=app.instance_path)
    if config:
        settings.update(config)
        if "BASE_URL" in config:
            # Cookie flags follow the BASE_URL in force, not the one the environment gave.
            https = settings["BASE_URL"].startswith("https://")
            for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
                settings[key] = config.get(key, https)
            settings["PREFERRED_URL_SCHEME"] = config.get("PREFERRED_URL_SCHEME",
                                                          "https" if https else "http")
    app.config.update(settings)
    ensure_secret_key(app.config)
    app.session_interface = SessionInterface()
    if app.config.get("PROXY_COUNT"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"],
                                x_proto=app.config["PROXY_COUNT"])

    init_database(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    permissions.register(app)

    from r2pnet import layout, mail, web
    from r2pnet.accounts import views as accounts_views
    from r2pnet.audit import views as audit_views
    from r2pnet.deliberations import views as deliberations_views
    from r2pnet.digests import views as digests_views
    from r2pnet.digests import reports as digest_reports
    from r2pnet.discussions import views as discussions_views
    from r2pnet.knowledge import views as knowledge_views
    from r2pnet.members import views as members_views
    from r2pnet.moderation import views as moderation_views

    web.init_app(app)
    layout.init_app(app)
    mail.init_app(app)
    accounts_views.init_app(app)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(members_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(knowledge_views.bp)
    app.register_blueprint(discussions_views.bp)
    app.register_blueprint(deliberations_views.bp)
    app.register_blueprint(moderation_views.bp)
    app.register_blueprint(digests_views.bp)
    app.register_blueprint(digest_reports.bp)

    from r2pnet.api import setup as api_setup
    api_setup.init_app(app)

    from r2pnet import cli
    cli.init_app(app)
    return app
