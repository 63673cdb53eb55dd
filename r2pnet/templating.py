"""The Jinja environment: templates share the environment's globals instead of each a view.

Jinja gives every template a ChainMap of its own globals over the environment's. Each page
then pays for it twice in Python: a new context copies the ChainMap's keys, and every
`{% from "_form.html" import ... %}` compares the two templates' keys one by one through
ChainMap lookups (about 0.1 ms a page for two imports). No template here has globals of its
own, so a template without them uses the environment's dict itself: the same names and
values, the same answer to both questions, at the speed of a dict.
"""
from flask.templating import Environment as FlaskEnvironment


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, its globals one dict for every template."""

    def make_globals(self, d):
        """The environment's globals for a template with none of its own, else Jinja's map."""
        return self.globals if not d else super().make_globals(d)
